"""Start the ASGI server (uvicorn) and the task worker together; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from einblick.core.demo import DEMO_LOGINS


class Command(BaseCommand):
    help = "Run the ASGI server and the task worker (development and single-machine set-ups)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")

    def handle(self, host: str, port: int, workers: int, **options):
        env = {
            **os.environ,
            "EINBLICK_BASE_URL": os.environ.get("EINBLICK_BASE_URL", f"http://{host}:{port}"),
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "einblick.asgi:application",
                "--host",
                host,
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-server-header",
                "--ws-max-size",
                "65536",
                "--lifespan",
                "off",
            ],
            env=env,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "einblick", "worker", "--interval", "1", "--queue-name", "*"], env=env
        )
        self.stdout.write(
            self.style.SUCCESS(f"\n{settings.EINBLICK['SITE_NAME']} runs at http://{host}:{port}/\n")
        )
        self.stdout.write("Demo logins (password for all: einblick-demo):")
        for role, username in DEMO_LOGINS:
            self.stdout.write(f"  {role:<28} {username}")
        self.stdout.write(
            f"E-mails are written to {settings.EMAIL_FILE_PATH if hasattr(settings, 'EMAIL_FILE_PATH') else 'SMTP'}"
        )
        self.stdout.write("Press Ctrl-C to stop server and worker.\n")
        processes = [server, worker]
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.stdout.write("Stopped.")
