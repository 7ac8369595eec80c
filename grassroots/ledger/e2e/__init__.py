"""End-to-end verifiable ballots: the cryptographic core (docs/e2e.md).

Pure Python over libsodium's Ed25519 group (through PyNaCl): ElGamal encryption of ballot
papers, the proofs that bind a ballot to its voter, the tellers' dealerless key ceremony, the
verifiable mix-net and threshold decryption, and the checks a verifier runs on all of them.
Nothing here imports Django; the ballots app calls these functions with plain data.
"""
