#!/usr/bin/env python3
"""THE ONE STAND-IN of the registry tests: a minimal Bearer token server,
because Debian packages no token server for docker-registry. It issues RS256
JWTs (signed with `openssl dgst`, certificate in the x5c header) that the real
docker-registry verifies through its `auth: token:` config.

GET  /token?service=S&scope=repository:NAME:pull  anonymous (pull on public/*)
     or with Basic USER:PASS (pull,push on everything)
POST /token  form grant_type=refresh_token&refresh_token=R&...  (R = REFRESH;
     answers 404 when started with NOPOST=1, to test the GET fallback)
Every request is logged (method, path without query values, auth kind).

usage: token_server.py PORT KEY CERT ISSUER USER PASS REFRESH LOGFILE
"""
import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

port, key, cert, issuer, user, password, refresh, logf = sys.argv[1:9]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                     check=True, capture_output=True).stdout


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    msg = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=msg,
                         check=True, capture_output=True).stdout
    return msg.decode() + "." + b64url(sig)


def log(line):
    with open(logf, "a") as f:
        f.write(line + "\n")


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def issue(self, service, scopes, authed):
        access = []
        for sc in scopes:
            parts = sc.split(":")
            if len(parts) != 3 or parts[0] != "repository":
                continue
            name = parts[1]
            if authed:
                actions = parts[2].split(",")
            elif name.startswith("public/"):
                actions = [a for a in parts[2].split(",") if a == "pull"]
            else:
                actions = []
            access.append({"type": "repository", "name": name, "actions": actions})
        now = int(time.time())
        tok = sign({"iss": issuer, "sub": user if authed else "", "aud": service,
                    "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(now) + str(os.getpid()),
                    "access": access})
        self.reply(200, {"token": tok, "access_token": tok, "expires_in": 300})

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        authed = False
        kind = "anonymous"
        a = self.headers.get("Authorization", "")
        if a.startswith("Basic "):
            got = base64.b64decode(a[6:]).decode(errors="replace")
            if got != user + ":" + password:
                log("GET %s basic-bad" % u.path)
                self.reply(401, {"details": "bad credentials"})
                return
            authed, kind = True, "basic"
        log("GET %s %s scope=%s" % (u.path, kind, " ".join(q.get("scope", []))))
        self.issue(q.get("service", [""])[0], " ".join(q.get("scope", [])).split(), authed)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        if os.environ.get("NOPOST"):
            log("POST %s refused" % self.path)
            self.reply(404, {})
            return
        ok = form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == [refresh]
        log("POST %s refresh_token %s client_id=%s" % (self.path, "ok" if ok else "bad",
                                                     form.get("client_id", [""])[0]))
        if not ok:
            self.reply(401, {})
            return
        self.issue(form.get("service", [""])[0], " ".join(form.get("scope", [])).split(), True)


http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), H).serve_forever()
