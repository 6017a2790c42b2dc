"""A small IMAP4rev1 server for tests: enough of the protocol for `imaplib` to log in,
select a folder, search for unseen messages and fetch and flag them by UID (RFC 3501)."""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    user: str
    password: str
    messages: dict[int, bytes] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    commands: list[str] = field(default_factory=list)


def _handler(mailbox: Mailbox):
    class Handler(socketserver.StreamRequestHandler):
        def send(self, text: str | bytes) -> None:
            self.wfile.write(text if isinstance(text, bytes) else text.encode())

        def handle(self) -> None:
            self.send("* OK [CAPABILITY IMAP4rev1] stand-in ready\r\n")
            authenticated = False
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                tag, _space, rest = line.decode().rstrip("\r\n").partition(" ")
                mailbox.commands.append(rest)
                command = rest.split(" ", 1)[0].upper()
                if command == "CAPABILITY":
                    self.send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK CAPABILITY done\r\n")
                elif command == "LOGIN":
                    words = re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', rest)[1:]
                    user, password = (
                        re.sub(r"\\(.)", r"\1", quoted) or bare for quoted, bare in words
                    )
                    authenticated = (user, password) == (mailbox.user, mailbox.password)
                    self.send(
                        f"{tag} OK LOGIN completed\r\n"
                        if authenticated
                        else f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
                    )
                elif command == "LOGOUT":
                    self.send(f"* BYE\r\n{tag} OK LOGOUT completed\r\n")
                    return
                elif not authenticated:
                    self.send(f"{tag} BAD log in first\r\n")
                elif command == "SELECT":
                    self.send(
                        f"* {len(mailbox.messages)} EXISTS\r\n* FLAGS (\\Seen)\r\n"
                        f"{tag} OK [READ-WRITE] SELECT completed\r\n"
                    )
                elif rest.upper().startswith("UID SEARCH UNSEEN"):
                    uids = " ".join(
                        str(u) for u in sorted(mailbox.messages) if u not in mailbox.seen
                    )
                    self.send(
                        f"* SEARCH {uids}\r\n{tag} OK SEARCH completed\r\n".replace(
                            "SEARCH \r", "SEARCH\r"
                        )
                    )
                elif rest.upper().startswith("UID FETCH"):
                    uid = int(rest.split()[2])
                    raw = mailbox.messages[uid]
                    self.send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw)
                    self.send(f")\r\n{tag} OK FETCH completed\r\n")
                elif rest.upper().startswith("UID STORE"):
                    uid = int(rest.split()[2])
                    if "\\SEEN" in rest.upper():
                        mailbox.seen.add(uid)
                    self.send(
                        f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))\r\n{tag} OK STORE completed\r\n"
                    )
                else:
                    self.send(f"{tag} BAD unknown command\r\n")

    return Handler


class IMAPStandIn:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(mailbox))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> IMAPStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
