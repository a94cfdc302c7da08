"""Apply a dict of German translations to the de catalogue (clears fuzzy)."""
import sys, polib, importlib.util
spec = importlib.util.spec_from_file_location("t", sys.argv[1]); t = importlib.util.module_from_spec(spec); spec.loader.exec_module(t)
po = polib.pofile('src/einblick/locale/de/LC_MESSAGES/django.po')
missing = []
for e in po:
    if e.obsolete: continue
    if e.msgid in t.T:
        v = t.T[e.msgid]
        if e.msgid_plural:
            e.msgstr_plural = {0: v[0], 1: v[1]}
        else:
            e.msgstr = v
        if 'fuzzy' in e.flags: e.flags.remove('fuzzy')
        e.previous_msgid = None; e.previous_msgid_plural = None
    elif not e.translated() or 'fuzzy' in e.flags:
        missing.append(e.msgid)
po.save()
print("missing:", len(missing))
for m in missing: print(repr(m))
