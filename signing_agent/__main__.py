"""``python -m signing_agent --module /usr/lib/softhsm/libsofthsm2.so --token-label LABEL
--allowed-origin https://egov.example --port 8766``"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from cryptography import x509

from . import PROTOCOL_VERSION, __version__
from .prompts import PromptProvider, TerminalPrompt, TestOnlyPrompt
from .server import LOOPBACK_HOSTS, Agent, AgentConfig, AgentServer, check_allowed_origin
from .token import Token


def default_log_file() -> Path:
    base = (
        os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    )
    return Path(base) / "egov-signing-agent" / "agent.log"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m signing_agent",
        description="Trình ký số egov: ký bản tóm lược văn bản bằng token USB (PKCS#11) cho trang egov.",
    )
    p.add_argument("--module", required=True, help="PKCS#11 library of the token (.so / .dll / .dylib)")
    p.add_argument("--token-label", help="token to use (default: the only token present)")
    p.add_argument(
        "--allowed-origin",
        action="append",
        required=True,
        help="origin of the egov site allowed to call the agent, e.g. https://egov.example (repeatable)",
    )
    p.add_argument("--host", default="127.0.0.1", choices=LOOPBACK_HOSTS, help="loopback address to bind")
    p.add_argument("--port", type=int, default=8766, help="port (0 picks a free one; printed at start)")
    p.add_argument("--confirm", action="store_true", help="ask the official to approve each request")
    p.add_argument("--chain-file", type=Path, help="PEM file of intermediate CA certificates to return")
    p.add_argument("--log-file", type=Path, default=None, help=f"log file (default {default_log_file()})")
    p.add_argument("--max-batch", type=int, default=100, help="most documents in one batch")
    p.add_argument("--rate", type=int, default=30, help="signing requests allowed per minute")
    p.add_argument(
        "--test-only-pin-from-env",
        metavar="VARIABLE",
        help="AUTOMATED TESTS ONLY: take the PIN from this environment variable instead of asking",
    )
    p.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__} (protocol {PROTOCOL_VERSION})"
    )
    return p


def setup_logging(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("signing_agent")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        origins = frozenset(check_allowed_origin(origin) for origin in args.allowed_origin)
    except ValueError as exc:
        parser().error(str(exc))
    chain: tuple[x509.Certificate, ...] = ()
    if args.chain_file:
        chain = tuple(x509.load_pem_x509_certificates(args.chain_file.read_bytes()))
    setup_logging(args.log_file or default_log_file())
    prompts: PromptProvider
    if args.test_only_pin_from_env:
        print(
            "CẢNH BÁO: chế độ CHỈ DÀNH CHO KIỂM THỬ TỰ ĐỘNG — mã PIN lấy từ biến môi trường, "
            "không hỏi người dùng. Không bao giờ dùng trên máy của cán bộ.",
            file=sys.stderr,
        )
        prompts = TestOnlyPrompt.from_environment(args.test_only_pin_from_env)
    else:
        prompts = TerminalPrompt()
    config = AgentConfig(
        module=args.module,
        token_label=args.token_label,
        allowed_origins=origins,
        host=args.host,
        port=args.port,
        confirm_each_request=args.confirm,
        max_batch_items=args.max_batch,
        sign_requests_per_minute=args.rate,
        extra_chain=chain,
    )
    agent = Agent(config, token=Token(args.module, args.token_label), prompts=prompts)
    server = AgentServer(agent)
    logging.getLogger("signing_agent").info(
        "started version=%s port=%d origins=%s", __version__, server.port, ",".join(sorted(origins))
    )
    print(f"egov signing agent {__version__} listening on http://{args.host}:{server.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
