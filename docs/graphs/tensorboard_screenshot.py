"""The screenshot docs/graphs/tensorboard_graph.png: the README demo's CNN in TensorBoard's
Graphs dashboard, its module boxes opened, taken with headless Chromium.

    python docs/graphs/tensorboard_screenshot.py      # needs tensorboard, chromium, websocket-client

A picture for people, not a test (tests/utils/test_tensorboard_graph.py checks the graph).
It writes the graph with SummaryWriter.add_graph, starts `tensorboard` on a free 127.0.0.1
port, opens the dashboard in Chromium, double-clicks the module boxes open (through the
DevTools protocol) and saves the screenshot; everything it started is stopped after.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # websocket-client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "demo"))
sys.path.insert(0, os.path.join(HERE, "..", ".."))

from train_digits import DigitsCNN

import ember
from ember.utils.tensorboard import SummaryWriter

OPEN = ["DigitsCNN", "DigitsCNN/Sequential[features]", "DigitsCNN/Sequential[classifier]",
        "DigitsCNN/Sequential[features]/Conv2d[2]", "DigitsCNN/Sequential[classifier]/Linear[1]"]
SELECT = "DigitsCNN/Sequential[features]/Conv2d[2]/conv_1"
# every element under every shadow root; then the scene's node groups by their data-name
FIND = """(() => { const out = []; const walk = r => { for (const e of r.querySelectorAll('*')) {
  out.push(e); if (e.shadowRoot) walk(e.shadowRoot); } }; walk(document);
  return out.filter(e => e.tagName === 'g' && e.classList.contains('node')); })()"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, deadline=60):
    t = time.monotonic() + deadline
    while time.monotonic() < t:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read()
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"nothing answered at {url}")


OUT = os.path.join(HERE, "tensorboard_graph.png")


def main(out=OUT):
    work = tempfile.mkdtemp(prefix="ember_tb_shot_")
    ember.manual_seed(0)
    with SummaryWriter(os.path.join(work, "logs", "digits")) as w:
        w.add_graph(DigitsCNN(), ember.rand(1, 1, 8, 8))
    tb_port, cdp_port = free_port(), free_port()
    tb = subprocess.Popen([sys.executable, "-c", "from tensorboard.main import run_main; run_main()",
                           "--logdir", os.path.join(work, "logs"), "--host", "127.0.0.1",
                           "--port", str(tb_port), "--load_fast", "false"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    chrome = None
    try:
        wait_for(f"http://127.0.0.1:{tb_port}/data/plugin/graphs/info")
        chrome = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", f"--user-data-dir={os.path.join(work, 'chromium')}",
             f"--remote-debugging-port={cdp_port}", "--window-size=1600,1100", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pages = json.loads(wait_for(f"http://127.0.0.1:{cdp_port}/json"))
        ws = websocket.create_connection(next(p for p in pages if p["type"] == "page")["webSocketDebuggerUrl"],
                                         timeout=30, suppress_origin=True)
        ids = iter(range(1, 10**6))

        def call(method, **params):
            i = next(ids)
            ws.send(json.dumps({"id": i, "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("id") == i:
                    return msg.get("result", {})

        def js(expr):
            r = call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
            return r.get("result", {}).get("value")

        call("Emulation.setDeviceMetricsOverride", width=1600, height=1100, deviceScaleFactor=1, mobile=False)
        call("Page.navigate", url=f"http://127.0.0.1:{tb_port}/#graphs&run=digits")
        for name in OPEN:
            for _ in range(60):
                done = js(f"""(() => {{ const g = {FIND}.find(e => e.getAttribute('data-name') === {json.dumps(name)});
                  if (!g) return false;
                  g.querySelector('.nodeshape').dispatchEvent(new MouseEvent('dblclick', {{bubbles: true}}));
                  return true; }})()""")
                if done:
                    break
                time.sleep(0.5)
            time.sleep(1.5)
        js(f"""(() => {{ const g = {FIND}.find(e => e.getAttribute('data-name') === {json.dumps(SELECT)});
              if (g) g.querySelector('.nodeshape').dispatchEvent(new MouseEvent('click', {{bubbles: true}})); }})()""")
        time.sleep(2)
        png = call("Page.captureScreenshot", format="png")["data"]
        with open(out, "wb") as f:
            f.write(base64.b64decode(png))
        ws.close()
        print("wrote", os.path.relpath(out))
    finally:
        for p in (chrome, tb):
            if p is not None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
