#!/usr/bin/python3
"""A real HTTP(S) file server for rkt's functional tests (no mock of HTTP).

Serves files under --root (a directory path serves its index.html; the query string is ignored,
so /app?ac-discovery=1 is /app/index.html), with strong ETags, If-None-Match (304), Range and
If-Range (206). Per-path behaviours come from --rules, a JSON file read on every request:

  {"/path": {"status": 500,               answer this status (body: "error")
             "accepted_times": 2,         answer 202 this many times first (then serve)
             "cache_control": "max-age=3600",
             "basic_auth": "user:password",   else 401 with WWW-Authenticate: Basic
             "bearer": "token",           else 401
             "truncate_after": 1000,      announce the full length, send this many bytes, close
             "stall_after": 1000,         send this many bytes, then hang until killed
             "no_range": true,            ignore Range requests (answer 200)
             "proxy": "http://host:port"} pass the request on to this server (with Accept,
                                          Authorization, Range, If-Range) and relay its answer;
                                          stall_after applies to the relayed body
  A rule whose key ends in "*" applies to every path with that prefix that has no rule of its own.

Every request is appended to --log as one JSON line {method, path, headers}. Once listening it
writes "ready" to --ready. Runs until killed.
"""

import argparse
import hashlib
import http.server
import json
import os
import socketserver
import ssl
import threading
import time
import urllib.error
import urllib.request

counters = {}
counters_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def rules(self):
        try:
            with open(self.server.rules_path) as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return {}

    def rule_for(self, path):
        rules = self.rules()
        if path in rules:
            return rules[path]
        for key, rule in rules.items():
            if key.endswith("*") and path.startswith(key[:-1]):
                return rule
        return {}

    def proxy(self, rule):
        request = urllib.request.Request(rule["proxy"] + self.path, method=self.command)
        for name in ("Accept", "Authorization", "Range", "If-Range"):
            if self.headers.get(name) is not None:
                request.add_header(name, self.headers[name])
        try:
            answer = urllib.request.urlopen(request)
        except urllib.error.HTTPError as error:
            answer = error
        body = answer.read()
        self.send_response(answer.status if hasattr(answer, "status") else answer.code)
        for name in ("Content-Type", "Docker-Content-Digest", "ETag", "Content-Range",
                     "WWW-Authenticate"):
            if answer.headers.get(name) is not None:
                self.send_header(name, answer.headers[name])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        self.send_body(rule, body)

    def send_body(self, rule, body):
        if "truncate_after" in rule:
            self.wfile.write(body[:rule["truncate_after"]])
            self.wfile.flush()
            self.close_connection = True
            return
        if "stall_after" in rule:
            self.wfile.write(body[:rule["stall_after"]])
            self.wfile.flush()
            while True:
                time.sleep(3600)
        self.wfile.write(body)

    def record(self, path):
        entry = {"method": self.command, "path": path,
                 "headers": {k.lower(): v for k, v in self.headers.items()}}
        with counters_lock, open(self.server.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def send_simple(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def authorized(self, rule):
        got = self.headers.get("Authorization", "")
        if "basic_auth" in rule:
            import base64
            want = "Basic " + base64.b64encode(rule["basic_auth"].encode()).decode()
            if got != want:
                self.send_simple(401, b"unauthorized", [("WWW-Authenticate", 'Basic realm="rkt"')])
                return False
        if "bearer" in rule and got != "Bearer " + rule["bearer"]:
            self.send_simple(401, b"unauthorized", [("WWW-Authenticate", 'Bearer realm="rkt"')])
            return False
        return True

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        self.record(self.path)
        rule = self.rule_for(path)
        if not self.authorized(rule):
            return
        if "proxy" in rule:
            self.proxy(rule)
            return
        if "status" in rule:
            self.send_simple(rule["status"], b"error")
            return
        if rule.get("accepted_times", 0) > 0:
            with counters_lock:
                seen = counters.get(path, 0)
                counters[path] = seen + 1
            if seen < rule["accepted_times"]:
                self.send_simple(202, b"", [("Retry-After", "1")])
                return
        file = os.path.join(self.server.root, path.lstrip("/"))
        if os.path.isdir(file):
            file = os.path.join(file, "index.html")
        if not os.path.isfile(file):
            self.send_simple(404, b"not found")
            return
        with open(file, "rb") as f:
            data = f.read()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        headers = [("ETag", etag)]
        if "cache_control" in rule:
            headers.append(("Cache-Control", rule["cache_control"]))
        if self.headers.get("If-None-Match") == etag:
            self.send_simple(304, b"", headers)
            return
        start = 0
        status = 200
        wanted = self.headers.get("Range", "")
        if_range = self.headers.get("If-Range")
        if wanted.startswith("bytes=") and not rule.get("no_range") and (
                if_range is None or if_range == etag):
            start = int(wanted[6:].split("-")[0])
            if start >= len(data):
                self.send_simple(416, b"", [("Content-Range", "bytes */%d" % len(data))])
                return
            status = 206
            headers.append(("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data))))
        body = data[start:]
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        self.send_body(rule, body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    server = Server((args.bind, args.port), Handler)
    server.root, server.rules_path, server.log_path = args.root, args.rules, args.log
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.ready, "w") as f:
        f.write("%d\n" % server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
