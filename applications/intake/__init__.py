"""A firm's application before the officers see it: drafts and their answers, documents, and
submission."""
