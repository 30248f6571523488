"""A counting HTTP proxy in front of the dev stack's RGW, for tests that report how many requests
and bytes a reader needed (DuckDB, pyarrow, polars, our own reader).

    with CountingProxy(env["S3_ENDPOINT"]) as proxy:
        run_reader(endpoint=proxy.endpoint)
        print(proxy.stats())          # {"requests": 7, "GET": 6, "HEAD": 1, "bytes": 123456}

Requests are forwarded unchanged, Host header included, so SigV4 signatures made for the
proxy's address stay valid at RGW (which does not check its own port). Binds 127.0.0.1 on a
free port. Thread-safe counters; one log entry per request (method, path, range, bytes).
"""
import http.client
import http.server
import threading
import urllib.parse

_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
        "trailer", "proxy-authenticate", "proxy-authorization"}


class CountingProxy:
    def __init__(self, upstream):
        u = urllib.parse.urlsplit(upstream)
        self._host, self._port = u.hostname, u.port or 80
        self._lock = threading.Lock()
        self.log = []  # (method, path, range header, response body bytes)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                conn = http.client.HTTPConnection(proxy._host, proxy._port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in _HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                with proxy._lock:
                    proxy.log.append((self.command, self.path, self.headers.get("Range", ""),
                                      len(data) if self.command != "HEAD" else 0))

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def reset(self):
        with self._lock:
            self.log.clear()

    def stats(self):
        with self._lock:
            out = {"requests": len(self.log), "bytes": sum(e[3] for e in self.log)}
            for method, *_ in self.log:
                out[method] = out.get(method, 0) + 1
            return out
