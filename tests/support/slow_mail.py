"""A slow e-mail backend for the task-worker fault test (tests/cluster/): Django's file backend, but before it writes
an e-mail it leaves a "started" marker file and sleeps, so that a test can kill the worker in the middle of sending.

Select it in the worker's environment::

    EINBLICK_EMAIL_BACKEND=tests.support.slow_mail.EmailBackend   (PYTHONPATH must include the repository root)
    SLOW_MAIL_MARKER_DIR=/tmp/…    where the markers go (one file per attempt; none without this variable)
    SLOW_MAIL_SECONDS=30           the pause before the e-mail is written (default 0)

The e-mails themselves go to EMAIL_FILE_PATH (EINBLICK_MAIL_DIR), as with the plain file backend.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        marker_dir = os.environ.get("SLOW_MAIL_MARKER_DIR")
        if marker_dir:
            Path(marker_dir).mkdir(parents=True, exist_ok=True)
            marker = Path(marker_dir) / f"started-{os.getpid()}-{time.time_ns()}"
            marker.write_text("\n".join(", ".join(message.to) for message in email_messages))
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0")))
        return super().send_messages(email_messages)
