// SPDX-License-Identifier: LGPL-2.1-or-later
// Interoperability of our MLS core (through mlsctl) with ts-mls, an
// independent RFC 9420 implementation in TypeScript. Both directions:
//   1. ours creates the group and adds a ts-mls member (our Commit, Welcome
//      with the ratchet_tree extension); ts-mls joins;
//   2. ts-mls creates a group and adds an mlsctl member; mlsctl joins;
// then in each group: both sides export the same secret, application
// messages cross both ways, and a path-updating commit from each side is
// processed by the other. Usage: node ts-mls-interop.mjs MLSCTL WORKDIR [SUITE]
import { execFileSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as mls from "ts-mls"

const [mlsctl, work, suiteArg] = process.argv.slice(2)
const suite = Number(suiteArg ?? 1)
const names = { 1: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519", 2: "MLS_128_DHKEMP256_AES128GCM_SHA256_P256", 3: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519" }
if (!names[suite]) throw new Error(`suite ${suite} not set up for this test`)
const cs = await mls.getCiphersuiteImpl(mls.getCiphersuiteFromName(names[suite]))
mkdirSync(work, { recursive: true })
const file = (n) => `${work}/${n}`
const ctl = (...args) => execFileSync(mlsctl, args, { encoding: "utf8" })
const hex = (b) => Buffer.from(b).toString("hex")
const enc = (s) => new TextEncoder().encode(s)
let checks = 0
function same(what, a, b) {
  if (a !== b) throw new Error(`${what}: ${a} != ${b}`)
  checks++
}
const decode = (path) => mls.decodeMlsMessage(new Uint8Array(readFileSync(path)), 0)[0]
const write = (path, msg) => writeFileSync(path, mls.encodeMlsMessage(msg))

async function exportsAgree(state, dir, label) {
  const ctx = Uint8Array.from([1, 2, 3])
  const theirs = hex(await mls.mlsExporter(state.keySchedule.exporterSecret, label, ctx, 32, cs))
  const ours = ctl("export", "--state", dir, "--label", label, "--context", "010203", "--length", "32").trim()
  same(`exporter (${label})`, ours, theirs)
}

async function messagesCross(state, dir, tag) {
  // ts-mls -> mlsctl
  const made = await mls.createApplicationMessage(state, enc(`from ts-mls ${tag}`), cs)
  state = made.newState
  write(file(`app-ts-${tag}`), { privateMessage: made.privateMessage, wireformat: "mls_private_message", version: "mls10" })
  ctl("unprotect", "--state", dir, "--in", file(`app-ts-${tag}`), "--out", file(`app-ts-${tag}.txt`))
  same("ts-mls -> mlsctl application data", readFileSync(file(`app-ts-${tag}.txt`), "utf8"), `from ts-mls ${tag}`)
  // mlsctl -> ts-mls
  writeFileSync(file(`app-ours-${tag}.txt`), `from mlsctl ${tag}`)
  ctl("protect", "--state", dir, "--in", file(`app-ours-${tag}.txt`), "--out", file(`app-ours-${tag}`))
  const got = await mls.processPrivateMessage(state, decode(file(`app-ours-${tag}`)).privateMessage, mls.emptyPskIndex, cs)
  same("mlsctl -> ts-mls application data", new TextDecoder().decode(got.message), `from mlsctl ${tag}`)
  return got.newState
}

async function commitsCross(state, dir, tag) {
  // mlsctl commits a path update; ts-mls processes it.
  ctl("update", "--state", dir, "--commit-out", file(`commit-ours-${tag}`))
  const ours = decode(file(`commit-ours-${tag}`))
  const processed = await mls.processPublicMessage(state, ours.publicMessage, mls.emptyPskIndex, cs)
  state = processed.newState
  await exportsAgree(state, dir, `after our commit ${tag}`)
  // ts-mls commits a path update; mlsctl processes it.
  const c = await mls.createCommit({ state, cipherSuite: cs }, { wireAsPublicMessage: true })
  state = c.newState
  write(file(`commit-ts-${tag}`), c.commit)
  ctl("process", "--state", dir, "--message", file(`commit-ts-${tag}`))
  await exportsAgree(state, dir, `after their commit ${tag}`)
  return state
}

// 1. Ours creates, ts-mls joins.
{
  const dir = file("ours-alice")
  ctl("create", "--state", dir, "--identity", "alice", "--group-id", "0102030405", "--suite", String(suite))
  const bob = await mls.generateKeyPackage({ credentialType: "basic", identity: enc("bob") },
                                           mls.defaultCapabilities(), mls.defaultLifetime, [], cs)
  write(file("bob.kp"), { keyPackage: bob.publicPackage, wireformat: "mls_key_package", version: "mls10" })
  ctl("add", "--state", dir, "--key-package", file("bob.kp"), "--commit-out", file("c1"), "--welcome-out", file("w1"))
  let state = await mls.joinGroup(decode(file("w1")).welcome, bob.publicPackage, bob.privatePackage, mls.emptyPskIndex, cs)
  await exportsAgree(state, dir, "ours created")
  state = await messagesCross(state, dir, "1")
  state = await commitsCross(state, dir, "1")
  await messagesCross(state, dir, "1b")
}

// 2. ts-mls creates, ours joins.
{
  const dir = file("ours-dave")
  const carol = await mls.generateKeyPackage({ credentialType: "basic", identity: enc("carol") },
                                             mls.defaultCapabilities(), mls.defaultLifetime, [], cs)
  let state = await mls.createGroup(enc("ts-group"), carol.publicPackage, carol.privatePackage, [], cs)
  ctl("key-package", "--state", dir, "--identity", "dave", "--suite", String(suite), "--out", file("dave.kp"))
  const kp = decode(file("dave.kp")).keyPackage
  const c = await mls.createCommit({ state, cipherSuite: cs },
                                   { extraProposals: [{ proposalType: "add", add: { keyPackage: kp } }],
                                     ratchetTreeExtension: true, wireAsPublicMessage: true })
  state = c.newState
  write(file("w2"), { welcome: c.welcome, wireformat: "mls_welcome", version: "mls10" })
  ctl("join", "--state", dir, "--welcome", file("w2"))
  await exportsAgree(state, dir, "ts-mls created")
  state = await messagesCross(state, dir, "2")
  state = await commitsCross(state, dir, "2")
  await messagesCross(state, dir, "2b")
}
console.log(`ts-mls interop, suite ${suite}: ${checks} checks passed`)
