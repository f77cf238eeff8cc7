#!/usr/bin/env python3
"""A misbehaving gRPC server on a unix socket, for the fault tests of the
containerd store: just enough HTTP/2 (cleartext, prior knowledge; HPACK
literals only) to answer every request in one of these ways:

  garbage    bytes that are not HTTP/2, then the connection closed
  truncated  200, a gRPC message whose prefix announces 100 bytes and 10
             follow, then trailers with grpc-status 0
  huge       200, a prefix announcing 2 GiB - 1 and 64 KiB of it, then
             trailers with grpc-status 0
  midstop    200, half a message, then the connection closed (no trailers):
             a daemon that stops mid-answer
  notgrpc    200 with content-type text/html and an empty body
  status     trailers only: grpc-status 7 and a grpc-message
  stall      200, then nothing more until the client leaves

Each request answered adds a line "<mode> request" to LOG.

usage: grpc_fault_server.py SOCKET MODE LOG
"""
import os
import socket
import struct
import sys
import threading
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, SETTINGS = 0, 1, 4
END_STREAM, END_HEADERS = 0x1, 0x4


def frame(kind, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def literal(name, value):
    """An HPACK literal header field without indexing, new name, no Huffman."""
    n, v = name.encode(), value.encode()
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def answer(conn, stream, mode):
    ok = 0x88 + 0  # :status 200, indexed in the static table
    if mode == "status":
        block = bytes([ok]) + literal("content-type", "application/grpc") + \
            literal("grpc-status", "7") + literal("grpc-message", "permission%20denied%0Aby test")
        conn.sendall(frame(HEADERS, END_HEADERS | END_STREAM, stream, block))
        return True
    ctype = "text/html" if mode == "notgrpc" else "application/grpc"
    conn.sendall(frame(HEADERS, END_HEADERS, stream, bytes([ok]) + literal("content-type", ctype)))
    if mode == "stall":
        while conn.recv(1 << 16):  # whatever the client says, until it leaves
            pass
        return False
    if mode == "truncated":
        conn.sendall(frame(DATA, 0, stream, b"\x00" + struct.pack(">I", 100) + b"x" * 10))
    elif mode == "huge":
        conn.sendall(frame(DATA, 0, stream, b"\x00" + struct.pack(">I", 0x7FFFFFFF)))
        for _ in range(4):
            conn.sendall(frame(DATA, 0, stream, b"y" * 16384))
    elif mode == "midstop":
        conn.sendall(frame(DATA, 0, stream, b"\x00" + struct.pack(">I", 1000) + b"z" * 500))
        time.sleep(0.3)  # the client reads what came before the connection drops
        return False
    trailers = literal("grpc-status", "0")
    conn.sendall(frame(HEADERS, END_HEADERS | END_STREAM, stream, trailers))
    return True


def serve(conn, mode, log):
    try:
        read_exact(conn, len(PREFACE))
        if mode == "garbage":
            conn.sendall(b"\x00\x01 this is not HTTP/2 \xff\xfe\r\n" * 8)
            time.sleep(0.5)  # the client reads it before the connection drops
            return
        conn.sendall(frame(SETTINGS, 0, 0, b""))
        while True:
            head = read_exact(conn, 9)
            length = struct.unpack(">I", b"\x00" + head[:3])[0]
            kind, flags = head[3], head[4]
            stream = struct.unpack(">I", head[5:9])[0] & 0x7FFFFFFF
            payload = read_exact(conn, length)
            if kind == SETTINGS and not flags & 1:
                conn.sendall(frame(SETTINGS, 1, 0, b""))
            if kind in (HEADERS, DATA) and flags & END_STREAM:
                with open(log, "a") as f:
                    f.write("%s request\n" % mode)
                if not answer(conn, stream, mode):
                    return
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


def main():
    path, mode, log = sys.argv[1], sys.argv[2], sys.argv[3]
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, mode, log), daemon=True).start()


if __name__ == "__main__":
    main()
