#!/usr/bin/env python3
"""The fault injector of the registry tests: an HTTP proxy in front of a real
docker-registry that misbehaves on request, following rules in a JSON file
(re-read whenever it changes):

  [{"match": "GET /v2/x/blobs/", "action": "429", "times": 1}, ...]

actions: "429" (Retry-After: 1; "429:N": Retry-After: N), "500", "stall" (headers never come),
"wrongbody" (200 with one byte of the real body changed), "redirect" (307 to
the second listener on another address, which logs the headers it got and
serves the upstream body), "close" (drop the connection), "401" (a Basic
challenge, as to a client without credentials), "403" (access denied), "ratelimit" (the
upstream answer plus Docker Hub's ratelimit-limit/-remaining headers), "referrers" (for
GET /v2/REPO/referrers/ALG:HEX: answer as the OCI 1.1 referrers API does, with an image
index, the one upstream under the ALG-HEX fallback tag or an empty one; docker-registry 2.8
has no such API and no registry that has one is packaged here, so this stands in for it).
"pages:N" (for GET /v2/REPO/tags/list: the upstream listing cut into pages of at most N
tags, in order, after `last`, with a Link header to the next page, as registries with a
page size limit answer; docker-registry 2.8 ignores `n` and sends every tag at once;
"pages-abs:N" writes the Link as an absolute URL to this proxy, "pages-away:N" as one to
the second listener, another origin, "pages-upper:N" as an absolute URL to this proxy with
an upper-case scheme (HTTP://), "pages-rel:N" as a scheme-relative one (//host:port/...)
to this proxy and "pages-relaway:N" as a scheme-relative one to the second listener).
"drip:N" (the upstream answer, its headers at once and its body at N bytes a second),
"oversize:MB" (200 with the upstream body followed by spaces up to MB megabytes, without
Content-Length, the connection closed at its end), "delay:MS" (the upstream answer,
MS milliseconds late: a registry far away),
"norange" (a registry without Range support: the Range header dropped, 200 with the whole
body written in small pieces, "sent" logged as for drip), "cutrange" (the upstream answer to
the Range request, its headers whole and half its body, then the connection closed),
"fliprange" (the upstream answer with its middle byte changed); any other action ("pass")
forwards unchanged and counts as the rule's use.
Besides LOG_FILE, LOG_FILE.detail gets "T METHOD PATH" for every request (T: seconds since
the epoch, to the millisecond) and "sent PATH N" when a drip or oversize answer ends (N:
body bytes written before the end or the client's leaving).
Requests that no rule matches are forwarded unchanged (headers included).

usage: fault_proxy.py LISTEN_PORT UPSTREAM_PORT RULES_FILE LOG_FILE REDIRECT_HOST REDIRECT_PORT
"""
import http.client
import http.server
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse

port, upstream, rules_path, log_path, rhost, rport = sys.argv[1:7]
lock = threading.Lock()
state = {"mtime": None, "rules": []}


def log(line):
    with lock, open(log_path, "a") as f:
        f.write(line + "\n")


def detail(line):
    with lock, open(log_path + ".detail", "a") as f:
        f.write(line + "\n")


def take_rule(method, path):
    with lock:
        try:
            mt = os.stat(rules_path).st_mtime_ns
            if mt != state["mtime"]:
                with open(rules_path) as f:
                    state["rules"] = json.load(f)
                state["mtime"] = mt
        except FileNotFoundError:
            state["rules"] = []
        for r in state["rules"]:
            if r.get("times", 1) > 0 and re.search(r["match"], method + " " + path):
                r["times"] = r.get("times", 1) - 1
                return r["action"]
    return None


def fetch_upstream(method, path, headers):
    c = http.client.HTTPConnection("127.0.0.1", int(upstream), timeout=30)
    h = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
    c.request(method, path, headers=h)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheaders(), body


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_head(self, status, headers, length):
        """The status line and upstream headers; Content-Length `length` (None: none)."""
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date"):
                self.send_header(k, v)
        if length is not None:
            self.send_header("Content-Length", str(length))

    def send_body(self, status, headers, body):
        self.send_head(status, headers, len(body))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        log("%s %s auth=%s" % (self.command, self.path,
                               "yes" if self.headers.get("Authorization") else "no"))
        detail("%.3f %s %s" % (time.time(), self.command, self.path))
        action = take_rule(self.command, self.path)
        if action and action.startswith("delay:"):
            time.sleep(int(action.split(":")[1]) / 1000.0)
            action = None
        if action and action.split(":")[0] == "429":
            ra = action.split(":")[1] if ":" in action else "1"
            self.send_body(429, [("Retry-After", ra)], b'{"errors":[{"code":"TOOMANYREQUESTS"}]}')
            return
        if action == "500":
            self.send_body(500, [], b"boom")
            return
        if action == "401":
            self.send_body(401, [("WWW-Authenticate", 'Basic realm="fault-proxy"')],
                           b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            return
        if action == "403":
            self.send_body(403, [], b'{"errors":[{"code":"DENIED"}]}')
            return
        if action == "stall":
            time.sleep(30)
            self.close_connection = True
            return
        if action == "close":
            self.close_connection = True
            return
        if action == "redirect":
            self.send_body(307, [("Location", "http://%s:%s/signed%s?sig=abc" % (rhost, rport, self.path))], b"")
            return
        if action == "referrers":
            m = re.match(r"/v2/(.+)/referrers/([a-z0-9]+):([0-9a-f]+)$", self.path)
            status, headers, body = fetch_upstream(
                "GET", "/v2/%s/manifests/%s-%s" % m.groups(), self.headers)
            if status == 404:
                body = json.dumps({"schemaVersion": 2, "manifests": [],
                                   "mediaType": "application/vnd.oci.image.index.v1+json"}).encode()
            elif status != 200:
                self.send_body(status, headers, body)
                return
            self.send_body(200, [("Content-Type", "application/vnd.oci.image.index.v1+json")], body)
            return
        if action and action.startswith("pages"):
            kind, _, most = action.partition(":")
            origin = {"pages": "", "pages-abs": "http://127.0.0.1:%s" % port,
                      "pages-away": "http://%s:%s" % (rhost, rport),
                      "pages-upper": "HTTP://127.0.0.1:%s" % port,
                      "pages-rel": "//127.0.0.1:%s" % port,
                      "pages-relaway": "//%s:%s" % (rhost, rport)}[kind]
            self.send_page(int(most), origin)
            return
        if action == "norange":
            h = {k: v for k, v in self.headers.items() if k.lower() != "range"}
            status, headers, body = fetch_upstream(self.command, self.path, h)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
            self.send_head(status, headers, len(body))
            self.end_headers()
            self.write_counted((body[i:i + 16384] for i in range(0, len(body), 16384)), 0)
            return
        status, headers, body = fetch_upstream(self.command, self.path, self.headers)
        if action == "cutrange":
            self.send_head(status, headers, len(body))
            self.end_headers()
            self.write_counted([body[:len(body) // 2]], 0)
            return
        if action == "fliprange" and body:
            m = len(body) // 2
            body = body[:m] + bytes([body[m] ^ 0x20]) + body[m + 1:]
        if action and action.startswith("drip:") and status == 200:
            self.drip(headers, body, int(action.split(":")[1]))
            return
        if action and action.startswith("oversize:") and status == 200:
            self.oversize(headers, body, int(action.split(":")[1]) << 20)
            return
        if action == "ratelimit":
            headers = list(headers) + [("ratelimit-limit", "100;w=21600"),
                                       ("ratelimit-remaining", "76;w=21600")]
        if action == "wrongbody" and body:
            body = bytes([body[0] ^ 0x20]) + body[1:]
        self.send_body(status, headers, body)

    def write_counted(self, chunks, pause):
        """Write the chunks (pause seconds apart); the body bytes written."""
        sent = 0
        try:
            for c in chunks:
                self.wfile.write(c)
                self.wfile.flush()
                sent += len(c)
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        detail("sent %s %d" % (self.path, sent))
        self.close_connection = True

    def drip(self, headers, body, rate):
        self.send_head(200, headers, len(body))
        self.end_headers()
        self.write_counted((body[i:i + 1] for i in range(len(body))), 1.0 / rate)

    def oversize(self, headers, body, total):
        # small socket buffers, so what was sent is close to what was read
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
        self.send_head(200, headers, None)
        self.send_header("Connection", "close")
        self.end_headers()
        pad = total - len(body)
        chunks = [body] + [b" " * 65536] * (pad // 65536) + [b" " * (pad % 65536)]
        self.write_counted(chunks, 0)

    def send_page(self, most, origin):
        path, _, query = self.path.partition("?")
        q = dict(urllib.parse.parse_qsl(query))
        status, headers, body = fetch_upstream("GET", path, self.headers)
        if status != 200:
            self.send_body(status, headers, body)
            return
        doc = json.loads(body)
        tags = sorted(doc.get("tags") or [])
        if "last" in q:
            tags = [t for t in tags if t > q["last"]]
        n = min(most, int(q.get("n", most)))
        page, rest = tags[:n], tags[n:]
        out = [("Content-Type", "application/json")]
        if rest:
            nxt = "%s%s?%s" % (origin, path, urllib.parse.urlencode({"n": n, "last": page[-1]}))
            out.append(("Link", '<%s>; rel="next"' % nxt))
        self.send_body(200, out, json.dumps({"name": doc.get("name"), "tags": page}).encode())

    do_GET = handle_any
    do_HEAD = handle_any
    do_POST = handle_any


class Target(Proxy):
    """The other host of a redirect: logs what it got, serves the upstream
    body with its own credentials (as a signed URL would)."""

    def handle_any(self):
        log("TARGET %s %s authorization=%s" % (self.command, self.path,
                                               "yes" if self.headers.get("Authorization") else "no"))
        path = self.path[len("/signed"):].split("?")[0]
        h = {}
        if os.environ.get("UPSTREAM_AUTH"):
            h["Authorization"] = os.environ["UPSTREAM_AUTH"]
        status, headers, body = fetch_upstream("GET", path, h)
        self.send_body(status, headers, body)

    do_GET = handle_any


def serve(addr, p, handler):
    s = http.server.ThreadingHTTPServer((addr, int(p)), handler)
    s.daemon_threads = True
    s.serve_forever()


threading.Thread(target=serve, args=(rhost, rport, Target), daemon=True).start()
serve("127.0.0.1", port, Proxy)
