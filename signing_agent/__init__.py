"""egov signing agent: a loopback service on an official's computer that signs digests with their
USB token through PKCS#11 (protocol version 1, docs/signing-agent.md)."""

__version__ = "1.0.0"
PROTOCOL_VERSION = 1
