"""Test-only launcher: runs moto's server in-process on a loopback port, with the moto_ext
additions (test/support/moto_ext) installed in front of it.

    python3 test/support/moto_launcher.py --host 127.0.0.1 --port 5123

It never outlives the test run that started it: it stops on SIGTERM / SIGINT, when its standard
input reaches end-of-file (the parent closed the pipe or died), and when its parent process is gone.
"""
import argparse
import logging
import os
import signal
import sys
import threading

# The extension lives beside this file; keep the source tree free of __pycache__ directories.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def serialise_dynamodb(app):
    """DynamoDB applies each request to an item atomically (a conditional update's check and write are
    one step); moto's threaded server does not, so two concurrent UpdateItem calls could both pass
    one condition. Serve DynamoDB requests one at a time, as the real service orders writes to one item."""
    lock = threading.Lock()

    def serve(environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return app(environ, start_response)
        with lock:
            return list(app(environ, start_response))

    return serve


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches EOF")
    args = parser.parse_args()

    from werkzeug.serving import make_server

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    import moto_ext

    moto_ext.install()
    # One line per request on stderr costs CPU and buries the errors worth reading.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    app = serialise_dynamodb(moto_ext.wrap(DomainDispatcherApplication(create_backend_app)))
    server = make_server(args.host, args.port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    if args.watch_stdin:
        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except Exception:
                pass
            stop.set()

        threading.Thread(target=watch_stdin, daemon=True).start()

    parent = os.getppid()
    while not stop.wait(1.0):
        if os.getppid() != parent:  # re-parented: whoever started us is gone
            break
    server.shutdown()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
