"""The official's home: who they are and where they act; later one inbox over all their work."""
