// The tellers' key ceremony in the browser (issue 14; docs/e2e.md, "The tellers' key ceremony").
//
// The same three steps as `python -m grassroots.ledger teller transport-key / deal / receive`
// (grassroots/ledger/e2e/cli.py and ceremony.py), with the same file formats, so a teller can
// mix the two (and decrypt with the command after the close). Secrets never leave the browser:
// the transport key and the key share are offered as files to keep, and only public values go
// into the page's forms. Sealed boxes are libsodium's crypto_box_seal (X25519, BLAKE2b nonce,
// HSalsa20 + XSalsa20-Poly1305), built from the vendored noble primitives.

import { blake2b, hsalsa, secretbox, x25519 } from "../vendor/noble-curves-2.4.0.js";
import {
  L, Transcript, baseMul, concat, fromHex, mulPublic, pointFromBytes, randomScalar,
  scalarFromHex, scalarHex, toHex,
} from "./e2e-vote.js";

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function boxKey(shared) {
  // crypto_box_beforenm: HSalsa20 of the X25519 shared secret with a zero nonce.
  const out = new Uint32Array(8);
  hsalsa(SIGMA, new Uint32Array(shared.slice().buffer), new Uint32Array(4), out);
  return new Uint8Array(out.buffer);
}

export function seal(message, publicKey) {
  const ephemeral = x25519.utils.randomSecretKey();
  const ephemeralPublic = x25519.getPublicKey(ephemeral);
  const nonce = blake2b(concat(ephemeralPublic, publicKey), { dkLen: 24 });
  const key = boxKey(x25519.getSharedSecret(ephemeral, publicKey));
  return concat(ephemeralPublic, secretbox(key, nonce).seal(message));
}

export function openSealed(sealed, secretKey) {
  const ephemeralPublic = sealed.slice(0, 32);
  const nonce = blake2b(concat(ephemeralPublic, x25519.getPublicKey(secretKey)), { dkLen: 24 });
  const key = boxKey(x25519.getSharedSecret(secretKey, ephemeralPublic));
  return secretbox(key, nonce).open(sealed.slice(32));
}

/** `teller transport-key`: the secret (to keep, as the CLI's file) and the public half. */
export function makeTransportKey() {
  const secret = x25519.utils.randomSecretKey();
  return { file: toHex(secret) + "\n", publicKey: toHex(x25519.getPublicKey(secret)) };
}

function commitmentChallenge(electionId, teller, commitments, t) {
  return new Transcript("teller-key", electionId).integer(teller).points(commitments).point(t).challenge();
}

function evaluate(coefficients, at) {
  let value = 0n;
  for (let j = coefficients.length - 1; j >= 0; j--) value = (value * BigInt(at) + coefficients[j]) % L;
  return value;
}

/** `teller deal`: deal-<i>.json's content, each share sealed to its teller's transport key. */
export function makeDeal({ electionId, teller, threshold, tellers, recipients }) {
  const coefficients = Array.from({ length: threshold }, () => randomScalar());
  const commitments = coefficients.map((a) => baseMul(a));
  const k = randomScalar();
  const c = commitmentChallenge(electionId, teller, commitments, baseMul(k));
  const shares = {};
  for (let l = 1; l <= tellers; l++) {
    const key = recipients[String(l)];
    if (!key) throw new Error(`teller ${l} has published no transport key`);
    shares[String(l)] = toHex(seal(encoder.encode(scalarHex(evaluate(coefficients, l))), fromHex(key)));
  }
  return {
    election_id: electionId,
    threshold,
    tellers,
    commitment: {
      teller,
      commitments: commitments.map((p) => toHex(p.toBytes())),
      proof: { c: scalarHex(c), s: scalarHex(k + c * coefficients[0]) },
    },
    shares,
  };
}

function committedPoint(commitments, recipient) {
  let total = null;
  commitments.forEach((a, j) => {
    const term = mulPublic(BigInt(recipient) ** BigInt(j) % L, a);
    total = total === null ? term : total.add(term);
  });
  return total;
}

/** `teller receive`: check every deal and the share sealed to you; your key share's file. */
export function receiveShares({ electionId, teller, threshold, tellers, deals, transportFile }) {
  const secretKey = fromHex(transportFile.trim());
  if (deals.length !== tellers) throw new Error(`a deal from each of tellers 1 to ${tellers} is needed`);
  let share = 0n;
  let electionKey = null;
  let verification = null;
  for (const deal of deals) {
    const sender = deal.commitment.teller;
    const commitments = deal.commitment.commitments.map((h) => pointFromBytes(fromHex(h)));
    if (deal.election_id !== electionId || deal.threshold !== threshold || commitments.length !== threshold) {
      throw new Error(`teller ${sender}'s deal is for another election or threshold`);
    }
    const c = scalarFromHex(deal.commitment.proof.c);
    const t = baseMul(scalarFromHex(deal.commitment.proof.s)).subtract(mulPublic(c, commitments[0]));
    if (commitmentChallenge(electionId, sender, commitments, t) !== c) {
      throw new Error(`teller ${sender}'s proof of knowledge of their key does not hold`);
    }
    let opened;
    try {
      opened = scalarFromHex(decoder.decode(openSealed(fromHex(deal.shares[String(teller)]), secretKey)));
    } catch {
      throw new Error(`the share teller ${sender} sealed to you cannot be opened with your transport key file`);
    }
    const expected = committedPoint(commitments, teller);
    if (!baseMul(opened).equals(expected)) {
      throw new Error(`the share teller ${sender} sent to teller ${teller} is not the share teller ${sender} committed to`);
    }
    share = (share + opened) % L;
    electionKey = electionKey === null ? commitments[0] : electionKey.add(commitments[0]);
    verification = verification === null ? expected : verification.add(expected);
  }
  return {
    file: scalarHex(share) + "\n",
    electionKey: toHex(electionKey.toBytes()),
    verificationKey: toHex(verification.toBytes()),
  };
}

// --- the page ---

function offerFile(name, text) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}

function say(id, text, isError = false) {
  const element = document.getElementById(id);
  element.textContent = text;
  element.hidden = false;
  element.classList.toggle("error", isError);
}

// The page's words in the reader's language (the config carries them, translated on the
// server); without them, English.
function words(config, key, english, params = {}) {
  const template = (config.words && config.words[key]) || english;
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(params[name]));
}

function start() {
  const config = JSON.parse(document.getElementById("ceremony-config").textContent);
  for (const element of document.querySelectorAll(".in-browser")) element.hidden = false;
  const name = (what) => `teller-${config.teller}-${config.election_id}.${what}`;

  document.getElementById("browser-transport")?.addEventListener("click", () => {
    const made = makeTransportKey();
    offerFile(name("transport"), made.file);
    document.getElementById("id_transport-transport_key").value = made.publicKey;
    say("browser-transport-done", words(config, "transport_done", "Your transport key is made and saved as %(file)s: keep that file safe, you need it at step 3. Now press “Publish my transport key”.", { file: name("transport") }));
  });

  document.getElementById("browser-deal")?.addEventListener("click", () => {
    try {
      const deal = makeDeal({
        electionId: config.election_id, teller: config.teller, threshold: config.threshold,
        tellers: config.tellers, recipients: config.recipients,
      });
      const file = new File([JSON.stringify(deal, null, 1) + "\n"], `deal-${config.teller}.json`, { type: "application/json" });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      document.getElementById("id_deal-deal").files = transfer.files;
      say("browser-deal-done", words(config, "deal_done", "Your deal is made (your polynomial was never written down) and attached below. Now press “Publish my deal”."));
    } catch (error) {
      say("browser-deal-done", error.message, true);
    }
  });

  document.getElementById("browser-receive")?.addEventListener("click", async () => {
    const input = document.getElementById("browser-transport-file");
    if (!input.files.length) {
      say("browser-receive-done", words(config, "choose_file", "Choose your transport key file first."), true);
      return;
    }
    try {
      const received = receiveShares({
        electionId: config.election_id, teller: config.teller, threshold: config.threshold,
        tellers: config.tellers, deals: config.deals, transportFile: await input.files[0].text(),
      });
      offerFile(name("share"), received.file);
      document.getElementById("id_confirm-election_key").value = received.electionKey;
      say("browser-receive-done", words(config, "receive_done", "Every share is checked against its teller's commitments. Your key share is saved as %(file)s: keep it safe until the count. Now press “My shares are checked”.", { file: name("share") }));
    } catch (error) {
      say("browser-receive-done", words(config, "receive_failed", "%(error)s. Tell the returning officer, who starts the ceremony again.", { error: error.message }), true);
    }
  });
}

if (typeof document !== "undefined" && document.getElementById("ceremony-config")) start();
