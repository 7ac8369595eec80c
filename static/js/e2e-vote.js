// End-to-end verifiable voting in the browser (issue 14; docs/e2e.md is the specification).
//
// The paper is encoded exactly as grassroots/ledger/e2e/papers.py does, encrypted with ElGamal
// over the Ed25519 prime-order group to the tellers' election key, and proved with a Schnorr
// proof of knowledge of its randomness bound to the election id, the question and the voter's
// roll credential (voter.py, proofs.py). Every group operation is @noble/curves' (vendored in
// static/vendor/, README.md there); only the encoding and the proof are written here.
// tests/browser/test_e2e_vectors.py runs these functions in Chromium on the known-answer
// vectors (tests/data/e2e/ballot_vectors.json) and compares with the Python reference.

import { ed25519, sha256, sha512 } from "../vendor/noble-curves-2.4.0.js";

const Point = ed25519.Point;
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const PROTOCOL = "grassroots-e2e/1";
const CHUNK_BYTES = 29;
const COUNTER_LIMIT = 65536;
const IDENTITY_HEX = "01" + "00".repeat(31);
const encoder = new TextEncoder();

// --- bytes, hex and scalars ---

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(hex) {
  if (typeof hex !== "string" || hex.length % 2 || /[^0-9a-f]/.test(hex)) {
    throw new Error("not lowercase hex");
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function littleEndian(value, length) {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

function readLittleEndian(bytes) {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

function bigEndian64(value) {
  const out = new Uint8Array(8);
  let v = BigInt(value);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const mod = (a) => ((a % L) + L) % L;
export const scalarHex = (s) => toHex(littleEndian(mod(s), 32));

export function scalarFromHex(hex) {
  const value = readLittleEndian(fromHex(hex));
  if (hex.length !== 64 || value >= L) throw new Error("not a scalar below L");
  return value;
}

/** A uniformly random non-zero scalar (group.random_scalar), from the browser's CSPRNG. */
export function randomScalar() {
  const bytes = crypto.getRandomValues(new Uint8Array(64));
  return 1n + (readLittleEndian(bytes) % (L - 1n));
}

// --- the group: points as 32-byte encodings, checked as libsodium checks them ---

export function pointFromBytes(bytes) {
  if (toHex(bytes) === IDENTITY_HEX) return Point.ZERO;
  const point = Point.fromBytes(bytes); // strict RFC 8032 decoding: canonical, on the curve
  if (point.isSmallOrder() || !point.isTorsionFree()) throw new Error("not in the group");
  return point;
}

function isValidPoint(bytes) {
  try {
    return toHex(bytes) !== IDENTITY_HEX && pointFromBytes(bytes) !== null;
  } catch {
    return false;
  }
}

export const baseMul = (s) => (mod(s) === 0n ? Point.ZERO : Point.BASE.multiply(mod(s)));
export const mulPublic = (s, p) => (mod(s) === 0n || p.equals(Point.ZERO) ? Point.ZERO : p.multiplyUnsafe(mod(s)));
const mulSecret = (s, p) => (mod(s) === 0n || p.equals(Point.ZERO) ? Point.ZERO : p.multiply(mod(s)));
const pointBytes = (p) => p.toBytes();

// --- Fiat-Shamir transcripts (group.Transcript) ---

export class Transcript {
  constructor(domain, electionId) {
    this.hash = sha512.create();
    this.item("V", encoder.encode(PROTOCOL));
    this.item("D", encoder.encode(domain));
    this.item("E", encoder.encode(electionId));
  }
  item(tag, data) {
    this.hash.update(concat(encoder.encode(tag), bigEndian64(data.length), data));
    return this;
  }
  point(p) {
    return this.item("P", pointBytes(p));
  }
  points(list) {
    this.integer(list.length);
    for (const p of list) this.point(p);
    return this;
  }
  integer(n) {
    return this.item("I", bigEndian64(n));
  }
  text(t) {
    return this.item("T", encoder.encode(t));
  }
  challenge() {
    return readLittleEndian(this.hash.clone().digest()) % L;
  }
}

// --- papers as group elements (papers.py) ---

function slotMaximum(form) {
  return form.kind === "approval" ? 1 : form.candidates;
}

function slotCount(form) {
  return form.kind === "single" || form.kind === "yesno" ? 1 : form.candidates;
}

function width(form, encoding) {
  if (encoding === "slots") return slotCount(form);
  const bits = slotMaximum(form).toString(2).length;
  return Math.ceil(Math.ceil((slotCount(form) * bits) / 8) / CHUNK_BYTES);
}

/** paper_to_slots: the marks (0-based candidate positions) as slot values. */
export function paperToSlots(form, marks) {
  if (marks.some((m) => !Number.isInteger(m) || m < 0 || m >= form.candidates)) {
    throw new Error(`a mark must name one of the ${form.candidates} candidates`);
  }
  if (new Set(marks).size !== marks.length) throw new Error("a candidate is marked more than once");
  if (form.kind === "single" || form.kind === "yesno") {
    if (marks.length > 1) throw new Error("choose only one");
    return [marks.length ? marks[0] + 1 : 0];
  }
  if (form.kind === "approval") {
    const chosen = new Set(marks);
    return Array.from({ length: form.candidates }, (_, i) => (chosen.has(i) ? 1 : 0));
  }
  return marks.map((m) => m + 1).concat(new Array(form.candidates - marks.length).fill(0));
}

/** chunk_to_point: the first chunk || counter (2 bytes LE) || 0x00 that is a group element. */
export function chunkToPoint(chunk) {
  for (let counter = 0; counter < COUNTER_LIMIT; counter++) {
    const candidate = concat(chunk, littleEndian(BigInt(counter), 2), new Uint8Array([0]));
    if (isValidPoint(candidate)) return candidate;
  }
  throw new Error("no group element encodes this chunk");
}

/** encode_paper: the messages (group element encodings) that encrypt this paper. */
export function encodePaper(form, encoding, marks) {
  const slots = paperToSlots(form, marks);
  if (encoding === "slots") return slots.map((v) => pointBytes(baseMul(BigInt(v))));
  const bits = BigInt(slotMaximum(form).toString(2).length);
  let packed = 0n;
  slots.forEach((value, i) => {
    packed |= BigInt(value) << (BigInt(i) * bits);
  });
  const data = littleEndian(packed, width(form, encoding) * CHUNK_BYTES);
  const messages = [];
  for (let at = 0; at < data.length; at += CHUNK_BYTES) {
    messages.push(chunkToPoint(data.slice(at, at + CHUNK_BYTES)));
  }
  return messages;
}

// --- encryption, the voter's proof, the tracker (elgamal.py, proofs.py, voter.py) ---

function ballotTranscript(electionId, questionId, credential, publicKey, ballot) {
  const t = new Transcript("ballot", electionId).text(questionId).text(credential);
  t.point(publicKey).integer(ballot.length);
  for (const [alpha, beta] of ballot) t.point(alpha).point(beta);
  return t;
}

export function tracker(electionId, ballotHex) {
  const bytes = ballotHex.flatMap(([a, b]) => [fromHex(a), fromHex(b)]);
  return toHex(sha256(concat(encoder.encode(electionId), new Uint8Array([0]), ...bytes)));
}

/**
 * Encrypt one question's paper and prove it: {messages, ballot, proof, tracker, randomness},
 * all hex as in the record. ``randomness`` and ``nonces`` (scalars as hex) are fresh unless
 * given, as only the known-answer test gives them.
 */
export function encryptPaper({ electionId, question, credential, publicKey, marks, randomness, nonces }) {
  const Y = pointFromBytes(fromHex(publicKey));
  const messages = encodePaper(question, question.encoding, marks);
  const rs = randomness ? randomness.map(scalarFromHex) : messages.map(() => randomScalar());
  const ks = nonces ? nonces.map(scalarFromHex) : messages.map(() => randomScalar());
  if (rs.length !== messages.length || ks.length !== messages.length) {
    throw new Error("one random scalar and one nonce per ciphertext");
  }
  const ballot = messages.map((m, j) => [baseMul(rs[j]), pointFromBytes(m).add(mulSecret(rs[j], Y))]);
  const t = ballotTranscript(electionId, question.id, credential, Y, ballot);
  const c = t.points(ks.map((k) => baseMul(k))).challenge();
  const ballotHex = ballot.map(([a, b]) => [toHex(pointBytes(a)), toHex(pointBytes(b))]);
  return {
    messages: messages.map(toHex),
    ballot: ballotHex,
    proof: { c: scalarHex(c), s: ks.map((k, j) => scalarHex(k + c * rs[j])) },
    tracker: tracker(electionId, ballotHex),
    randomness: rs.map(scalarHex),
  };
}

/** The voter's proof checked as the server checks it (ballot_proof_is_valid). */
export function ballotProofIsValid({ electionId, questionId, credential, publicKey, ballot, proof }) {
  const Y = pointFromBytes(fromHex(publicKey));
  const points = ballot.map(([a, b]) => [pointFromBytes(fromHex(a)), pointFromBytes(fromHex(b))]);
  const c = scalarFromHex(proof.c);
  const commitments = proof.s.map((s, j) => baseMul(scalarFromHex(s)).subtract(mulPublic(c, points[j][0])));
  const t = ballotTranscript(electionId, questionId, credential, Y, points);
  return proof.s.length === ballot.length && t.points(commitments).challenge() === c;
}

// --- the page: read the paper, encrypt, review, audit or cast ---

// The page's words in the reader's language (the paper's config carries them, translated on
// the server); without them, English.
let words = {};

function say(key, english, params = {}) {
  const template = words[key] || english;
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(params[name]));
}

function readMarks(question, form) {
  if (question.ranked) {
    const numbered = [];
    for (const [name, position, label] of question.boxes) {
      const text = (form.elements[name]?.value || "").trim();
      if (!text) continue;
      if (!/^[0-9]+$/.test(text)) throw new Error(say("whole_numbers", "%(title)s: use whole numbers only (“%(text)s” beside %(label)s).", { title: question.title, text, label }));
      const n = Number(text);
      if (n < 1 || n > question.boxes.length) throw new Error(say("number_range", "%(title)s: number the candidates from 1 to %(count)s (%(label)s has %(n)s).", { title: question.title, count: question.boxes.length, label, n }));
      if (numbered[n]) throw new Error(say("same_number", "%(title)s: you gave the number %(n)s to both %(first)s and %(label)s.", { title: question.title, n, first: numbered[n][1], label }));
      numbered[n] = [position, label];
    }
    const used = numbered.filter(Boolean).length;
    for (let n = 1; n <= used; n++) {
      if (!numbered[n]) throw new Error(say("gap", "%(title)s: there is a gap in your numbers (no %(n)s). Number your choices 1, 2, 3 and so on.", { title: question.title, n }));
    }
    return numbered.filter(Boolean).map(([position, label]) => ({ position, label }));
  }
  const picked = [];
  for (const [value, position, label] of question.choices) {
    const inputs = form.querySelectorAll(`input[name="${question.field}"][value="${value}"]`);
    if (Array.from(inputs).some((i) => i.checked)) picked.push({ position, label });
  }
  return picked.sort((a, b) => a.position - b.position);
}

function show(element, text) {
  element.textContent = text;
  element.hidden = false;
  element.focus();
}

function start() {
  const config = JSON.parse(document.getElementById("e2e-paper").textContent);
  words = config.words || {};
  const form = document.getElementById("e2e-form");
  const review = document.getElementById("e2e-review");
  const problem = document.getElementById("e2e-problem");
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = false;
  let encrypted = null;

  function encryptAll() {
    return config.questions.map((question) => {
      const marks = readMarks(question, form);
      const result = encryptPaper({
        electionId: config.election_id,
        question: question.paper,
        credential: config.credential,
        publicKey: config.public_key,
        marks: marks.map((m) => m.position),
      });
      return { question, marks, result };
    });
  }

  function drawReview() {
    const list = review.querySelector("#e2e-review-list");
    list.replaceChildren();
    for (const { question, marks, result } of encrypted) {
      const item = document.createElement("li");
      const choice = marks.length ? marks.map((m) => m.label).join(say("then", ", then ")) : say("blank", "blank (no choice)");
      item.textContent = say("review_item", "%(title)s: %(choice)s. Tracker %(tracker)s", { title: question.title, choice, tracker: result.tracker });
      list.append(item);
    }
    review.querySelector("#e2e-audit-output").hidden = true;
    review.hidden = false;
    form.hidden = true;
    review.querySelector("h2").focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    problem.hidden = true;
    try {
      encrypted = encryptAll();
    } catch (error) {
      show(problem, error.message);
      return;
    }
    drawReview();
  });

  review.querySelector("#e2e-change").addEventListener("click", () => {
    encrypted = null;
    review.hidden = true;
    form.hidden = false;
  });

  review.querySelector("#e2e-audit").addEventListener("click", () => {
    // A Benaloh audit: reveal this encryption's randomness so anyone can check what it
    // encrypts (python -m grassroots.ledger audit-ballot FILE), then discard it: an audited
    // ballot is never cast. The voter casts a fresh encryption.
    const audit = {
      election_id: config.election_id,
      public_key: config.public_key,
      credential: config.credential,
      questions: encrypted.map(({ question, marks, result }) => ({
        question: question.paper,
        marks: marks.map((m) => m.position),
        ballot: result.ballot,
        proof: result.proof,
        randomness: result.randomness,
      })),
    };
    const output = review.querySelector("#e2e-audit-output");
    output.querySelector("textarea").value = JSON.stringify(audit, null, 1);
    output.hidden = false;
    try {
      encrypted = encryptAll();
    } catch (error) {
      show(problem, error.message);
      return;
    }
    const list = review.querySelector("#e2e-review-list");
    const fresh = encrypted.map(({ question, result }) => say("new_tracker", "%(title)s: new tracker %(tracker)s", { title: question.title, tracker: result.tracker }));
    review.querySelector("#e2e-fresh").textContent = say("discarded", "That encryption is discarded. Your paper is encrypted afresh: %(fresh)s.", { fresh: fresh.join("; ") });
    list.hidden = false;
  });

  review.querySelector("#e2e-cast").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    problem.hidden = true;
    const papers = {};
    for (const { question, result } of encrypted) {
      papers[question.paper.id] = { ballot: result.ballot, proof: result.proof };
    }
    const body = JSON.stringify({ idempotency_key: config.idempotency_key, papers });
    let answer;
    try {
      const response = await fetch(config.cast_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf_token },
        body,
      });
      answer = await response.json();
      if (!response.ok) throw new Error(answer.error || say("not_recorded", "The vote was not recorded."));
    } catch (error) {
      button.disabled = false;
      show(problem, say("nothing_lost", "%(error)s Nothing was lost: press “Cast my vote” again.", { error: error.message }));
      return;
    }
    const receipt = document.getElementById("e2e-receipt");
    const list = receipt.querySelector("ul");
    for (const item of answer.trackers) {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = item.tracker;
      li.append(`${item.question}: `, code);
      list.append(li);
    }
    review.hidden = true;
    receipt.hidden = false;
    receipt.querySelector("h2").focus();
  });
}

if (typeof document !== "undefined" && document.getElementById("e2e-paper")) start();
