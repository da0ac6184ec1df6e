#!/usr/bin/env python3
"""A storm of new questions at a running `peerscope serve`: N clients each ask, for SECS
seconds and with no pause, a themes page nobody asked before (a new year window each time),
while a probe fetches the stylesheet once a second. Prints the statuses, how long the
answered pages took, and the stylesheet's worst time. Shows whether pages are answered
within the 10 s limit or refused at once as busy, and whether static files stay fast.

    peerscope --data DIR serve --bind 127.0.0.1:18091 &
    python3 scripts/serve_storm.py 18091 40 30
"""
import itertools
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

port, clients, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
STYLESHEET = "/assets/peerscope-v5.css"
counter = itertools.count()
pages, styles, lock = [], [], threading.Lock()


def get(path):
    start = time.time()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
            code = r.status
            r.read()
    except urllib.error.HTTPError as e:
        code = e.code
    except Exception as e:  # a refused or reset connection is a result too
        code = type(e).__name__
    return code, time.time() - start


def client():
    end = time.time() + secs
    while time.time() < end:
        i = next(counter)
        result = get(f"/themes?since={1900 + i % 300}&until={2200 - i // 300}")
        with lock:
            pages.append(result)


def probe():
    end = time.time() + secs
    while time.time() < end:
        styles.append(get(STYLESHEET))
        time.sleep(1)


threads = [threading.Thread(target=client) for _ in range(clients)] + [threading.Thread(target=probe)]
for t in threads:
    t.start()
for t in threads:
    t.join()
answered = sorted(d for c, d in pages if c == 200)
print("pages:", dict(Counter(c for c, _ in pages)))
if answered:
    print(f"answered: {len(answered)}, p50 {answered[len(answered) // 2]:.2f} s, max {answered[-1]:.2f} s")
print("stylesheet:", dict(Counter(c for c, _ in styles)), f"max {max(d for _, d in styles):.2f} s" if styles else "")
