// Grassroots' vendored subset of @noble/curves 2.4.0 with @noble/hashes 2.4.0 and
// @noble/ciphers 2.4.0: the Ed25519 group for end-to-end ballots, SHA-512 for Fiat-Shamir
// challenges, SHA-256 for trackers, and X25519, BLAKE2b, HSalsa20 and XSalsa20-Poly1305 for
// libsodium-compatible sealed boxes (the tellers' key ceremony). See README.md beside this file.
export { ed25519, x25519 } from "@noble/curves/ed25519.js";
export { sha256, sha512 } from "@noble/hashes/sha2.js";
export { blake2b } from "@noble/hashes/blake2.js";
export { hsalsa, secretbox } from "@noble/ciphers/salsa.js";
