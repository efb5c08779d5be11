//! Generated scenarios for load and scale tests: `N` clicks with `K`
//! transactions each, written as a scenario (YAML, or JSON, which loads
//! several times faster) that loads like a hand-written one.
//!
//! The output depends on the [`GenerateOptions`] alone: the same options give
//! the same bytes on every machine (ChaCha8 seeded through
//! `SeedableRng::seed_from_u64`, which is portable, and hashes computed from the
//! index). It holds one credential, the API page's `n4n_admin` /
//! `44b5498dbcb481a0d00b404c0169af62`, so requests written for the `default`
//! scenario work against it.
//!
//! Every record is one flow mapping (one object) on one line, with only a
//! handful of keys, so that a million of them stay quick to write and to
//! parse:
//!
//! ```yaml
//! clicks:
//!   - {click_hash: 35b71a300115be9.16738986, time: 1763632804, loginid: 1123, username: aff1123, offerid: 7, campaignid: 3, subid1: spring}
//! transactions:
//!   - {transaction_hash: 9c0e..., click_hash: 35b71a300115be9.16738986, time: 1763634170, trans_type: initial, status: approved, orderid: ORD-0, subscription_id: SUB-0, amount: "29.95", total_payout: "11.98"}
//! ```
//!
//! In JSON ([`Format::Json`]) the same records, values and order, with
//! strings quoted and numbers left bare:
//!
//! ```json
//! "clicks": [
//! {"click_hash": "35b71a300115be9.16738986", "time": 1763632804, "loginid": 1123, ...},
//! ```
//!
//! Hashes are shaped like the real ones (15 lowercase hex digits, a dot, 8
//! digits) and unique by construction, not by luck: the hex part is a
//! seed-keyed permutation of the record's index, with clicks and transactions
//! in disjoint halves of its domain, so no two clicks, no two transactions,
//! and no click and transaction share a hash. Click 0 is always
//! [`FIRST_CLICK_HASH`], the API page's example click, so the page's example
//! request finds a click in any generated scenario; [`click_hash`] and
//! [`transaction_hash`] give the hash of any other record.
//!
//! Transaction `n` (counting from 0 over the whole file, click by click) belongs
//! to click `n / K`, and carries `orderid: ORD-<n>` and
//! `subscription_id: SUB-<n>`.

use std::fmt;
use std::io::{self, Write};

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateOptions {
    /// How many clicks (at most [`MAX_RECORDS`]).
    pub clicks: u64,
    /// How many transactions each click has (`clicks * transactions_per_click`
    /// at most [`MAX_RECORDS`]).
    pub transactions_per_click: u64,
    /// Seeds the values; the same seed gives the same file.
    pub seed: u64,
    /// YAML or JSON.
    pub format: Format,
}

/// The language a scenario is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// YAML, one flow mapping per record.
    #[default]
    Yaml,
    /// JSON, one object per record: the same scenario, read several times
    /// faster (a file named `*.json` is read as JSON).
    Json,
}

/// The most clicks, and the most transactions, one file may hold: far beyond
/// what fits in memory, low enough that indexes, times and hashes never
/// overflow.
pub const MAX_RECORDS: u64 = 1 << 40;

/// Click 0's `click_hash`, whatever the seed: the API page's example click.
pub const FIRST_CLICK_HASH: &str = "35b71a300115be9.16738986";

/// The `api-username` of the generated scenario's one credential.
pub const USERNAME: &str = "n4n_admin";

/// The `api-key` of the generated scenario's one credential.
pub const API_KEY: &str = "44b5498dbcb481a0d00b404c0169af62";

/// The hex and digit parts of [`FIRST_CLICK_HASH`].
const FIRST_HEX: u64 = 0x035b_71a3_0011_5be9;
const FIRST_DIGITS: u64 = 16_738_986;

/// The hex part has 15 hex digits: 60 bits.
const HEX_MASK: u64 = (1 << 60) - 1;
/// The bit of the hex part's domain that tells transactions from clicks.
const TRANSACTION_BIT: u64 = 1 << 59;
/// The digit part has 8 decimal digits.
const DIGITS_MODULUS: u64 = 100_000_000;

/// Click 0's time: 2025-11-20T10:00:00Z, the API page example's.
const START_TIME: u64 = 1_763_632_800;
/// Click `i` happens within `[START_TIME + i * SLOT, START_TIME + (i + 1) * SLOT)`.
const CLICK_SLOT_SECONDS: u64 = 10;
/// A click's first sale comes within this long after its slot.
const SALE_DELAY_SECONDS: u32 = 3_600;
/// Rebills come a month apart.
const REBILL_PERIOD_SECONDS: u64 = 30 * 24 * 3_600;

const SUBIDS: [&str; 8] = [
    "spring",
    "summer",
    "autumn",
    "winter",
    "newsletter",
    "banner-a",
    "search",
    "social",
];
const PRICES_IN_CENTS: [u64; 5] = [995, 1_495, 1_995, 2_995, 4_995];

/// Flush the line buffer to the writer once it holds this much.
const CHUNK_BYTES: usize = 64 * 1024;

/// Writes the scenario `options` describe to `out`, then flushes it.
///
/// Output is gathered in chunks of 64 KiB before each write, so an unbuffered
/// writer is fine too. Fails with [`io::ErrorKind::InvalidInput`] when there
/// would be more than [`MAX_RECORDS`] clicks or transactions, and with the
/// writer's error otherwise.
pub fn write_scenario(options: &GenerateOptions, out: &mut impl Write) -> io::Result<()> {
    let transactions = options
        .clicks
        .checked_mul(options.transactions_per_click)
        .filter(|&n| n <= MAX_RECORDS && options.clicks <= MAX_RECORDS)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} clicks with {} transactions each is more than the {MAX_RECORDS} \
                     records a generated scenario may hold",
                    options.clicks, options.transactions_per_click
                ),
            )
        })?;
    let mut chunk = Chunked::new(out);
    let json = options.format == Format::Json;
    write_header(options, transactions, &mut chunk.buffer)?;
    let keys = HashKeys::new(options.seed);

    // Two independent streams, so the clicks' values do not depend on how
    // many transactions each click has.
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    rng.set_stream(0);
    open_list(&mut chunk.buffer, json, "clicks", options.clicks);
    for index in 0..options.clicks {
        separate(&mut chunk.buffer, json, index);
        write_click(&mut chunk.buffer, json, &keys, index, &mut rng)?;
        chunk.flush_when_full()?;
    }
    close_list(&mut chunk.buffer, json, options.clicks, true);

    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    rng.set_stream(1);
    open_list(&mut chunk.buffer, json, "transactions", transactions);
    for click in 0..options.clicks {
        for nth in 0..options.transactions_per_click {
            let index = click * options.transactions_per_click + nth;
            separate(&mut chunk.buffer, json, index);
            write_transaction(&mut chunk.buffer, json, &keys, click, nth, index, &mut rng)?;
            chunk.flush_when_full()?;
        }
    }
    close_list(&mut chunk.buffer, json, transactions, false);
    chunk.finish()
}

/// `name:` (YAML) or `"name": [` (JSON), for a list of `len` records.
fn open_list(buf: &mut Vec<u8>, json: bool, name: &str, len: u64) {
    let text = match (json, len) {
        (true, 0) => format!("\"{name}\": ["),
        (true, _) => format!("\"{name}\": [\n"),
        (false, 0) => format!("{name}: []\n"),
        (false, _) => format!("{name}:\n"),
    };
    buf.extend_from_slice(text.as_bytes());
}

/// Before record `index` of a JSON list: a comma unless it is the first.
fn separate(buf: &mut Vec<u8>, json: bool, index: u64) {
    if json && index > 0 {
        buf.extend_from_slice(b",\n");
    }
}

/// The end of a JSON list (and of the object after the last one).
fn close_list(buf: &mut Vec<u8>, json: bool, len: u64, more: bool) {
    if json {
        if len > 0 {
            buf.push(b'\n');
        }
        buf.extend_from_slice(if more { b"],\n" } else { b"]\n}\n" });
    }
}

/// The comment, description and credential that open the file.
fn write_header(options: &GenerateOptions, transactions: u64, buf: &mut Vec<u8>) -> io::Result<()> {
    let GenerateOptions {
        clicks,
        transactions_per_click,
        seed,
        format,
    } = options;
    let flag = match format {
        Format::Yaml => "",
        Format::Json => " --format json",
    };
    let description = format!(
        "Generated by `n4n-mock generate --clicks {clicks} \
         --transactions-per-click {transactions_per_click} --seed {seed}{flag}`: \
         {clicks} clicks, {transactions_per_click} transactions per click \
         ({transactions} in all), seed {seed}; click 0 is {FIRST_CLICK_HASH}."
    );
    match format {
        Format::Yaml => writeln!(
            buf,
            "# Generated by n4n-mock; regenerate rather than edit.\n\
             description: \"{description}\"\n\
             credentials:\n  \
             - username: {USERNAME}\n    \
             api_key: {API_KEY}"
        ),
        // JSON has no comments: the description says it all.
        Format::Json => writeln!(
            buf,
            "{{\n\"description\": \"{description}\",\n\
             \"credentials\": [{{\"username\": \"{USERNAME}\", \"api_key\": \"{API_KEY}\"}}],"
        ),
    }
}

fn write_click(
    buf: &mut Vec<u8>,
    json: bool,
    keys: &HashKeys,
    index: u64,
    rng: &mut ChaCha8Rng,
) -> io::Result<()> {
    let time = click_slot_start(index) + pick(rng, CLICK_SLOT_SECONDS as u32);
    let loginid = 1_000 + pick(rng, 500);
    let offerid = 1 + pick(rng, 40);
    let campaignid = pick(rng, 20);
    let subid1 = SUBIDS[pick(rng, SUBIDS.len() as u32) as usize];
    let hash = keys.click(index);
    if json {
        write!(
            buf,
            "{{\"click_hash\": \"{hash}\", \"time\": {time}, \"loginid\": {loginid}, \
             \"username\": \"aff{loginid}\", \"offerid\": {offerid}, \
             \"campaignid\": {campaignid}, \"subid1\": \"{subid1}\"}}"
        )
    } else {
        writeln!(
            buf,
            "  - {{click_hash: {hash}, time: {time}, loginid: {loginid}, username: aff{loginid}, \
             offerid: {offerid}, campaignid: {campaignid}, subid1: {subid1}}}"
        )
    }
}

/// Transaction `index` of the file, the `nth` of click `click`.
fn write_transaction(
    buf: &mut Vec<u8>,
    json: bool,
    keys: &HashKeys,
    click: u64,
    nth: u64,
    index: u64,
    rng: &mut ChaCha8Rng,
) -> io::Result<()> {
    // Always after the click, whose time lies within its slot.
    let time =
        click_slot_start(click + 1) + nth * REBILL_PERIOD_SECONDS + pick(rng, SALE_DELAY_SECONDS);
    let trans_type = if nth == 0 { "initial" } else { "rebill" };
    let status = match pick(rng, 100) {
        0..80 => "approved",
        80..90 => "pending",
        90..95 => "void",
        95..98 => "chargeback",
        _ => "reversal",
    };
    let amount = Cents(PRICES_IN_CENTS[pick(rng, PRICES_IN_CENTS.len() as u32) as usize]);
    // The affiliate's share: 40 %.
    let payout = Cents(amount.0 * 2 / 5);
    let (hash, click_hash) = (keys.transaction(index), keys.click(click));
    if json {
        write!(
            buf,
            "{{\"transaction_hash\": \"{hash}\", \"click_hash\": \"{click_hash}\", \
             \"time\": {time}, \"trans_type\": \"{trans_type}\", \"status\": \"{status}\", \
             \"orderid\": \"ORD-{index}\", \"subscription_id\": \"SUB-{index}\", \
             \"amount\": \"{amount}\", \"total_payout\": \"{payout}\"}}"
        )
    } else {
        writeln!(
            buf,
            "  - {{transaction_hash: {hash}, click_hash: {click_hash}, time: {time}, \
             trans_type: {trans_type}, status: {status}, orderid: ORD-{index}, \
             subscription_id: SUB-{index}, amount: \"{amount}\", total_payout: \"{payout}\"}}"
        )
    }
}

fn click_slot_start(index: u64) -> u64 {
    START_TIME + index * CLICK_SLOT_SECONDS
}

/// A value in `0..bound` (the slight modulo bias does not matter here).
fn pick(rng: &mut ChaCha8Rng, bound: u32) -> u64 {
    u64::from(rng.next_u32() % bound)
}

/// An amount in cents, written as `29.95`.
struct Cents(u64);

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// A click or transaction hash: `{hex:015x}.{digits:08}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hash {
    hex: u64,
    digits: u64,
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015x}.{:08}", self.hex, self.digits)
    }
}

/// The seed-derived keys of the hash permutation.
struct HashKeys {
    rounds: [u64; 3],
    /// XORed into every hex part so that click 0's is [`FIRST_HEX`].
    hex_offset: u64,
    /// Added to every digit part so that click 0's is [`FIRST_DIGITS`].
    digits_offset: u64,
}

impl HashKeys {
    fn new(seed: u64) -> HashKeys {
        let mut state = seed;
        let rounds = [
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
        ];
        let mut keys = HashKeys {
            rounds,
            hex_offset: 0,
            digits_offset: 0,
        };
        let raw = keys.raw(0);
        keys.hex_offset = raw.hex ^ FIRST_HEX;
        keys.digits_offset = (FIRST_DIGITS + DIGITS_MODULUS - raw.digits) % DIGITS_MODULUS;
        keys
    }

    fn click(&self, index: u64) -> Hash {
        self.shifted(self.raw(index))
    }

    fn transaction(&self, index: u64) -> Hash {
        self.shifted(self.raw(TRANSACTION_BIT | index))
    }

    fn shifted(&self, raw: Hash) -> Hash {
        Hash {
            hex: raw.hex ^ self.hex_offset,
            digits: (raw.digits + self.digits_offset) % DIGITS_MODULUS,
        }
    }

    /// A bijection of the 60-bit domain for the hex part (each step is one:
    /// XOR with a key, multiplication by an odd number modulo 2^60, and a
    /// right xorshift), so distinct domain values never share a hex part.
    /// The digits are only for looks.
    fn raw(&self, domain: u64) -> Hash {
        let mut x = domain & HEX_MASK;
        for key in self.rounds {
            x = (x ^ key) & HEX_MASK;
            x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15) & HEX_MASK;
            x ^= x >> 29;
        }
        let mut state = x ^ self.rounds[0];
        Hash {
            hex: x,
            digits: splitmix64(&mut state) % DIGITS_MODULUS,
        }
    }
}

/// SplitMix64: advances `state` and returns the next well-mixed value.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A line buffer written out in chunks.
struct Chunked<'w, W: Write> {
    out: &'w mut W,
    buffer: Vec<u8>,
}

impl<'w, W: Write> Chunked<'w, W> {
    fn new(out: &'w mut W) -> Self {
        Chunked {
            out,
            buffer: Vec::with_capacity(CHUNK_BYTES + 1024),
        }
    }

    fn flush_when_full(&mut self) -> io::Result<()> {
        if self.buffer.len() >= CHUNK_BYTES {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()
    }
}

#[cfg(test)]
mod tests;
