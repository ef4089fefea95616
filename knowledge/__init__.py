"""The knowledge base: ingest, embeddings and hybrid search."""
