#!/usr/bin/env python3
"""A unix-socket server standing in for a Docker daemon that misbehaves.

    unix_fault.py SOCKET MODE [ARGS...]

Modes:
  garbage              answer every connection with bytes that are not HTTP
  notjson              HTTP 200 whose body is not JSON
  apierror             HTTP 500 with {"message": ...} holding control bytes
  serve JSON TAR [N]   a daemon of one image: GET .../json answers the file
                       JSON, GET .../get streams the file TAR (chunked; with
                       N, only its first N bytes, then the connection is
                       closed mid-stream), and GET /images/json lists nothing;
                       each request's target is appended to JSON.log
  proxy UPSTREAM PID N forward to the real daemon at UPSTREAM; once N bytes of
                       a GET .../get answer have passed, kill PID (SIGKILL)
                       and close the connection mid-stream

Writes "ready" on stdout once it listens. Runs until killed.
"""
import os
import signal
import socket
import sys
import threading


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    return data


def answer(conn, status, body, ctype="application/json"):
    head = "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        status, ctype, len(body))
    conn.sendall(head.encode() + body)


def serve_simple(conn, mode):
    read_request(conn)
    if mode == "garbage":
        conn.sendall(b"\x00\x01\x02garbage \x1b[31m not http\r\n\r\n" * 4)
    elif mode == "notjson":
        answer(conn, "200 OK", b"<html>hello</html>", "text/html")
    elif mode == "apierror":
        answer(conn, "500 Internal Server Error",
               b'{"message":"storage broke \\u001b[31mred\\u001b[0m\\nsecond line"}')


def serve_files(conn, json_path, tar_path, cut):
    req = read_request(conn)
    target = req.split(b" ", 2)[1] if b" " in req else b""
    with open(json_path + ".log", "ab") as log:
        log.write(target + b"\n")
    if target == b"/images/json":
        answer(conn, "200 OK", b"[]")
    elif target.endswith(b"/json"):
        with open(json_path, "rb") as f:
            answer(conn, "200 OK", f.read())
    elif target.endswith(b"/get"):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\n"
                     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        sent = 0
        with open(tar_path, "rb") as f:
            while True:
                chunk = f.read(65536)
                if cut is not None:
                    chunk = chunk[: max(0, cut - sent)]
                if not chunk:
                    break
                conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        if cut is None:
            conn.sendall(b"0\r\n\r\n")
    else:
        answer(conn, "404 Not Found", b'{"message":"no such route"}')


def proxy(conn, upstream, pid, limit):
    req = read_request(conn)
    up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    up.connect(upstream)
    up.sendall(req)
    is_get = req.split(b" ", 2)[1].endswith(b"/get") if b" " in req else False
    passed = 0
    while True:
        chunk = up.recv(65536)
        if not chunk:
            break
        if is_get and passed + len(chunk) > limit:
            conn.sendall(chunk[: max(0, limit - passed)])
            os.kill(pid, signal.SIGKILL)
            break
        conn.sendall(chunk)
        passed += len(chunk)
    up.close()


def main():
    path, mode = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()

        def run(c=conn):
            try:
                if mode == "serve":
                    cut = int(sys.argv[5]) if len(sys.argv) > 5 else None
                    serve_files(c, sys.argv[3], sys.argv[4], cut)
                elif mode == "proxy":
                    proxy(c, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
                else:
                    serve_simple(c, mode)
            except OSError:
                pass
            finally:
                c.close()

        threading.Thread(target=run, daemon=True).start()


if __name__ == "__main__":
    main()
