// Command verify checks a Chancery transparency log with Go's reference implementation of
// signed notes and tiled Merkle logs (golang.org/x/mod/sumdb/note and sumdb/tlog), sharing no
// code with Chancery: an independent verifier.
//
// Usage:
//
//	verify -key VKEY [flags] [SOURCE]
//
// SOURCE is a log in C2SP tlog-tiles layout: a base URL (https://host/log/), or a directory
// (what `chancery log export DIR` writes, or tests/ledger/vectors). It reads SOURCE/checkpoint and
// checks, in order:
//
//  1. the checkpoint is a signed note (c2sp.org/signed-note) that note.Open verifies with the
//     log's key, whose text is a c2sp.org/tlog-checkpoint whose origin is the key's name;
//  2. every hash tile, read through tlog.TileHashReader, which authenticates each tile against
//     the signed root (the right-edge tiles by recomputing the root, every full tile against its
//     parent tile), and tlog.TreeHash equals the signed root;
//  3. every entry bundle: uint16 big-endian length-prefixed entries, exactly as many as the
//     level-0 tile holds, each tlog.RecordHash equal to the authenticated leaf hash;
//  4. each -old checkpoint: signed by the log, and consistent with the checkpoint
//     (tlog.ProveTree over the tiles, then tlog.CheckTree);
//  5. each -proof file (c2sp.org/tlog-proof@v1): its checkpoint verifies and
//     tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(extra)) succeeds; and, with a
//     SOURCE, its root is the root the log's tiles give at that size;
//  6. each -consistency file (a c2sp.org/tlog-witness add-checkpoint body: "old N", the proof
//     hashes, an empty line, the new signed checkpoint): tlog.CheckTree against the old root,
//     taken from a checkpoint verified above.
//
// With -vectors, SOURCE is Chancery's tests/ledger/vectors directory, and also checkpoints/*,
// proofs/inclusion/*, proofs/consistency/*, leaf-hashes.txt and roots.txt are checked.
//
// It prints what it verified and exits with status 1 at the first failure (2 for bad usage).
//
// Build it offline with Debian's packages (golang-go, golang-golang-x-mod-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o verify tests/ledger/interop/verify.go
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8

// emptyRoot is the root of the empty tree in RFC 6962 / C2SP: SHA-256 of the empty string.
// (Go's tlog.TreeHash returns the zero Hash for n == 0 instead, so size 0 is handled here.)
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func check(err error, format string, args ...interface{}) {
	if err != nil {
		fail("%s: %v", fmt.Sprintf(format, args...), err)
	}
}

// --- Reading the log --------------------------------------------------------------------------

type source struct {
	base  string // URL ending in "/" or directory path
	isURL bool
	reads map[string]bool
}

func newSource(s string) *source {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		if !strings.HasSuffix(s, "/") {
			s += "/"
		}
		return &source{base: s, isURL: true, reads: map[string]bool{}}
	}
	return &source{base: s, reads: map[string]bool{}}
}

var client = &http.Client{Timeout: 30 * time.Second}

func (s *source) get(rel string) ([]byte, error) {
	s.reads[rel] = true
	if !s.isURL {
		return os.ReadFile(filepath.Join(s.base, filepath.FromSlash(rel)))
	}
	resp, err := client.Get(s.base + rel)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<24))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s%s: %s", s.base, rel, resp.Status)
	}
	return data, nil
}

// c2spPath is the C2SP tlog-tiles path of a tile. Go's Tile.Path() (sumdb layout) is
// "tile/<H>/<L>/<N>[.p/<W>]" with L = -1 written "data"; C2SP tlog-tiles has the same N and
// .p/W encoding but no height element (the height is always 8) and calls level -1 "entries".
func c2spPath(t tlog.Tile) string {
	if t.H != tileHeight {
		panic(fmt.Sprintf("tile height %d, not %d", t.H, tileHeight))
	}
	goPath := t.Path()
	prefix := fmt.Sprintf("tile/%d/", t.H)
	if !strings.HasPrefix(goPath, prefix) {
		panic("unexpected Go tile path " + goPath)
	}
	rest := goPath[len(prefix):]
	if t.L == -1 {
		rest = "entries/" + strings.TrimPrefix(rest, "data/")
	}
	return "tile/" + rest
}

// tileReader implements tlog.TileReader over a source. Data is only trusted once
// tlog.TileHashReader has authenticated it against the signed tree hash.
type tileReader struct {
	src   *source
	tiles map[string]bool
}

func (r *tileReader) Height() int { return tileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := c2spPath(t)
		data, err := r.src.get(p)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %v", p, err)
		}
		r.tiles[p] = true
		out[i] = data
	}
	return out, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// --- Keys and notes -----------------------------------------------------------------------------

// cosigVerifier verifies c2sp.org/tlog-cosignature (cosignature/v1, signature type 0x04)
// witness signatures, which sumdb/note (v0.7.0) does not know: the signature is an 8-byte
// big-endian timestamp and an Ed25519 signature of "cosignature/v1\ntime <t>\n" + the note text.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func newCosigVerifier(vkey string) (*cosigVerifier, error) {
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 {
		return nil, errors.New("witness key is not <name>+<hex8>+<base64>")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		return nil, errors.New("witness key is not a cosignature/v1 (0x04) Ed25519 key")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	hash := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", hash) != strings.ToLower(parts[1]) {
		return nil, errors.New("witness key ID does not match the key")
	}
	return &cosigVerifier{name: parts[0], hash: hash, key: ed25519.PublicKey(raw[1:])}, nil
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t >= 1<<63 {
		return false
	}
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(v.key, signed, sig[8:])
}

type checkpoint struct {
	origin string
	tree   tlog.Tree
	signed []string // names of the keys whose signatures verified
}

var (
	logVerifier    note.Verifier
	witnesses      []note.Verifier
	requireWitness bool
	decimal        = regexp.MustCompile(`^(0|[1-9][0-9]{0,18})$`)
)

// openCheckpoint verifies a signed checkpoint note with note.Open: the log's signature, and
// the cosignature of each -witness key present (all of them with -require-witness), then
// parses the C2SP checkpoint text strictly.
func openCheckpoint(msg []byte) (*checkpoint, error) {
	return openCheckpointWitnessed(msg, requireWitness)
}

func openCheckpointWitnessed(msg []byte, mustCosign bool) (*checkpoint, error) {
	known := append([]note.Verifier{logVerifier}, witnesses...)
	n, err := note.Open(msg, note.VerifierList(known...))
	if err != nil {
		return nil, fmt.Errorf("note.Open: %v", err)
	}
	signed := map[string]bool{}
	var names []string
	for _, s := range n.Sigs {
		signed[s.Name] = true
		names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	if !signed[logVerifier.Name()] {
		return nil, fmt.Errorf("not signed by the log key %s", logVerifier.Name())
	}
	for _, w := range witnesses {
		if mustCosign && !signed[w.Name()] {
			return nil, fmt.Errorf("no cosignature by witness %s", w.Name())
		}
	}
	lines := strings.Split(n.Text, "\n")
	// Text ends in "\n", so the last element is empty; origin, size and root come first.
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return nil, errors.New("checkpoint text has fewer than three lines")
	}
	cp := &checkpoint{origin: lines[0], signed: names}
	if cp.origin != logVerifier.Name() {
		return nil, fmt.Errorf("checkpoint origin %q is not the key name %q", cp.origin, logVerifier.Name())
	}
	if !decimal.MatchString(lines[1]) {
		return nil, fmt.Errorf("checkpoint size %q is not a decimal number", lines[1])
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return nil, err
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return nil, fmt.Errorf("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	cp.tree.N = size
	copy(cp.tree.Hash[:], root)
	for i, l := range lines[3 : len(lines)-1] {
		if l == "" {
			return nil, fmt.Errorf("checkpoint extension line %d is empty", i+1)
		}
	}
	return cp, nil
}

func (cp *checkpoint) String() string {
	return fmt.Sprintf("%s size %d root %s", cp.origin, cp.tree.N, cp.tree.Hash)
}

// --- The log ------------------------------------------------------------------------------------

type logState struct {
	src    *source
	tr     *tileReader
	cp     *checkpoint
	reader tlog.HashReader
	roots  map[int64]tlog.Hash // tree sizes with a verified root
}

func (l *logState) addRoot(size int64, h tlog.Hash, what string) {
	if prev, ok := l.roots[size]; ok && prev != h {
		fail("%s: two signed roots for size %d (%s and %s): a split view", what, size, prev, h)
	}
	l.roots[size] = h
}

// treeHash is the root of the first n leaves, from the (authenticated) tiles of the log.
func (l *logState) treeHash(n int64) (tlog.Hash, error) {
	if n == 0 {
		return emptyRoot, nil
	}
	return tlog.TreeHash(n, l.reader)
}

func width(size int64, level int, index int64) int {
	count := size >> uint(tileHeight*level)
	if full := count >> tileHeight; index < full {
		return 1 << tileHeight
	}
	return int(count & (1<<tileHeight - 1))
}

// leafHashes reads every leaf hash through the TileHashReader, one level-0 tile at a time:
// each read authenticates that tile (and its parents) against the signed root.
func (l *logState) leafHashes() []tlog.Hash {
	n := l.cp.tree.N
	out := make([]tlog.Hash, 0, n)
	for start := int64(0); start < n; start += 1 << tileHeight {
		end := start + 1<<tileHeight
		if end > n {
			end = n
		}
		idx := make([]int64, 0, end-start)
		for i := start; i < end; i++ {
			idx = append(idx, tlog.StoredHashIndex(0, i))
		}
		hashes, err := l.reader.ReadHashes(idx)
		check(err, "reading leaf hashes %d-%d through tlog.TileHashReader", start, end-1)
		out = append(out, hashes...)
	}
	return out
}

// authenticateAllTiles rebuilds the tree from the leaf hashes with Go's own code
// (tlog.StoredHashesForRecordHash), checks that it has the signed root, and compares every hash
// tile of the tree, all levels and the partial ones (tlog.NewTiles), byte for byte with
// tlog.ReadTileData over the rebuilt tree.
//
// This is on top of tlog.TileHashReader because the reader of x/mod v0.7.0 does not
// authenticate every tile it returns: its loop "authenticate full tiles against their parents"
// starts at len(stx), the number of right-edge subtree hashes, not at the number of tiles those
// hashes came from; when several right-edge subtrees share a tile, the first full tiles read
// for the requested indexes are never checked. (A flipped byte in tile/0/001 of the 1000-leaf
// test vectors goes through ReadHashes unnoticed.)
func (l *logState) authenticateAllTiles(leaves []tlog.Hash, size int64, root tlog.Hash) int {
	var stored []tlog.Hash
	mem := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(stored)) {
				return nil, fmt.Errorf("stored hash %d is not in the rebuilt tree", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, h := range leaves[:size] {
		hs, err := tlog.StoredHashesForRecordHash(int64(i), h, mem)
		check(err, "rebuilding the tree at leaf %d", i)
		stored = append(stored, hs...)
	}
	th, err := tlog.TreeHash(size, mem)
	check(err, "tlog.TreeHash over the rebuilt tree")
	if size == 0 {
		th = emptyRoot
	}
	if th != root {
		fail("the leaf hashes in the tiles give the root %s at size %d, not the signed %s", th, size, root)
	}
	count := 0
	for _, t := range tlog.NewTiles(tileHeight, 0, size) {
		// Go's NewTiles lists every width 1..W of a partial tile (sumdb publishes them all);
		// C2SP tlog-tiles has only the one of the tree's size.
		if t.W != width(size, t.L, t.N) {
			continue
		}
		want, err := tlog.ReadTileData(t, mem)
		check(err, "tlog.ReadTileData(%s)", c2spPath(t))
		p := c2spPath(t)
		got, err := l.src.get(p)
		check(err, "reading %s", p)
		if !bytes.Equal(got, want) {
			fail("tile %s is not authentic: it differs from the tree the signed root commits to", p)
		}
		count++
	}
	return count
}

func (l *logState) checkEntries(leaves []tlog.Hash) (int, int) {
	n := l.cp.tree.N
	bundles := 0
	for k := int64(0); k<<tileHeight < n; k++ {
		w := width(n, 0, k)
		p := c2spPath(tlog.Tile{H: tileHeight, L: -1, N: k, W: w})
		data, err := l.src.get(p)
		check(err, "reading entry bundle %s", p)
		count := 0
		for len(data) > 0 {
			if len(data) < 2 {
				fail("entry bundle %s: truncated length of entry %d", p, count)
			}
			size := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+size {
				fail("entry bundle %s: entry %d is truncated", p, count)
			}
			if count >= w {
				fail("entry bundle %s holds more than %d entries", p, w)
			}
			index := k<<tileHeight + int64(count)
			if got := tlog.RecordHash(data[2 : 2+size]); got != leaves[index] {
				fail("entry %d in %s: tlog.RecordHash %s is not the leaf hash %s in the tiles",
					index, p, got, leaves[index])
			}
			data = data[2+size:]
			count++
		}
		if count != w {
			fail("entry bundle %s holds %d entries, not %d", p, count, w)
		}
		bundles++
	}
	return int(n), bundles
}

// checkOld verifies that an older (or equal) checkpoint is consistent with the log's.
func (l *logState) checkOld(old *checkpoint, ownTiles bool) string {
	n, t := old.tree.N, l.cp.tree.N
	switch {
	case n > t:
		fail("checkpoint of size %d is newer than the log's (%d)", n, t)
	case n == 0:
		if old.tree.Hash != emptyRoot {
			fail("checkpoint of size 0 has root %s, not SHA-256(\"\")", old.tree.Hash)
		}
	case n == t:
		if old.tree.Hash != l.cp.tree.Hash {
			fail("two checkpoints of size %d with different roots: a split view", n)
		}
	default:
		p, err := tlog.ProveTree(t, n, l.reader)
		check(err, "tlog.ProveTree(%d, %d)", t, n)
		check(tlog.CheckTree(p, t, l.cp.tree.Hash, n, old.tree.Hash),
			"tlog.CheckTree: size %d is not consistent with size %d", n, t)
	}
	l.addRoot(n, old.tree.Hash, "checkpoint")
	msg := fmt.Sprintf("consistent with size %d", t)
	if ownTiles && n > 0 {
		r := tlog.TileHashReader(old.tree, l.tr)
		h, err := tlog.TreeHash(n, r)
		check(err, "tiles at size %d", n)
		if h != old.tree.Hash {
			fail("tiles at size %d give root %s, not %s", n, h, old.tree.Hash)
		}
		count := l.authenticateAllTiles(l.leafHashes(), n, old.tree.Hash)
		msg += fmt.Sprintf("; its own %d tiles at size %d authenticate", count, n)
	}
	return msg
}

// --- Proof files ----------------------------------------------------------------------------

type inclusion struct {
	index int64
	proof tlog.RecordProof
	extra []byte
	note  []byte
}

func parseHashLine(line string) (tlog.Hash, error) {
	var h tlog.Hash
	raw, err := base64.StdEncoding.DecodeString(line)
	if err != nil || len(raw) != tlog.HashSize {
		return h, fmt.Errorf("%q is not a base64 SHA-256 hash", line)
	}
	copy(h[:], raw)
	return h, nil
}

// parseTlogProof parses c2sp.org/tlog-proof@v1: the header line, an optional "extra <b64>"
// line, "index <n>", one base64 hash per line, an empty line, then the signed checkpoint.
func parseTlogProof(data []byte) (*inclusion, error) {
	i := bytes.Index(data, []byte("\n\n"))
	if i < 0 {
		return nil, errors.New("no empty line before the checkpoint")
	}
	lines := strings.Split(string(data[:i]), "\n")
	if lines[0] != "c2sp.org/tlog-proof@v1" {
		return nil, fmt.Errorf("first line %q is not c2sp.org/tlog-proof@v1", lines[0])
	}
	p := &inclusion{note: data[i+2:]}
	lines = lines[1:]
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		extra, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[0], "extra "))
		if err != nil {
			return nil, fmt.Errorf("extra: %v", err)
		}
		p.extra = extra
		lines = lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") ||
		!decimal.MatchString(strings.TrimPrefix(lines[0], "index ")) {
		return nil, errors.New("no valid index line")
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(lines[0], "index "), 10, 64)
	if err != nil {
		return nil, err
	}
	p.index = index
	for _, l := range lines[1:] {
		h, err := parseHashLine(l)
		if err != nil {
			return nil, err
		}
		p.proof = append(p.proof, h)
	}
	if len(p.proof) > 63 {
		return nil, errors.New("more than 63 proof hashes")
	}
	return p, nil
}

func checkProofFile(l *logState, path string) {
	data, err := os.ReadFile(path)
	check(err, "reading %s", path)
	p, err := parseTlogProof(data)
	check(err, "%s: not a tlog-proof@v1", path)
	cp, err := openCheckpoint(p.note)
	check(err, "%s: checkpoint", path)
	if p.extra == nil {
		fail("%s: no extra line: the entry to check is missing", path)
	}
	leaf := tlog.RecordHash(p.extra)
	check(tlog.CheckRecord(p.proof, cp.tree.N, cp.tree.Hash, p.index, leaf),
		"%s: tlog.CheckRecord(index %d, size %d)", path, p.index, cp.tree.N)
	where := ""
	if l != nil {
		if cp.tree.N > l.cp.tree.N {
			fail("%s: its checkpoint (size %d) is newer than the log's (%d)", path, cp.tree.N, l.cp.tree.N)
		}
		h, err := l.treeHash(cp.tree.N)
		check(err, "%s: tree hash at size %d from the tiles", path, cp.tree.N)
		if h != cp.tree.Hash {
			fail("%s: root %s at size %d, but the log's tiles give %s", path, cp.tree.Hash, cp.tree.N, h)
		}
		l.addRoot(cp.tree.N, cp.tree.Hash, path)
		where = ", matching the log's tiles"
	}
	entry := string(p.extra)
	if len(entry) > 72 {
		entry = entry[:72] + "..."
	}
	fmt.Printf("inclusion %s: entry %d of size %d: tlog.CheckRecord OK%s; entry %s\n",
		filepath.Base(path), p.index, cp.tree.N, where, entry)
}

// checkConsistencyFile checks a tlog-witness add-checkpoint body: "old <n>", the consistency
// proof (one base64 hash per line), an empty line, and the new signed checkpoint.
func checkConsistencyFile(l *logState, roots map[int64]tlog.Hash, path string) {
	data, err := os.ReadFile(path)
	check(err, "reading %s", path)
	i := bytes.Index(data, []byte("\n\n"))
	nl := bytes.IndexByte(data, '\n')
	if i < 0 || nl < 0 {
		fail("%s: not an add-checkpoint body", path)
	}
	lines := strings.Split(string(data[:i]), "\n")
	oldText := strings.TrimPrefix(lines[0], "old ")
	if !strings.HasPrefix(lines[0], "old ") || !decimal.MatchString(oldText) {
		fail("%s: first line %q is not \"old <size>\"", path, lines[0])
	}
	old, _ := strconv.ParseInt(oldText, 10, 64)
	var proof tlog.TreeProof
	for _, line := range lines[1:] {
		h, err := parseHashLine(line)
		check(err, "%s", path)
		proof = append(proof, h)
	}
	cp, err := openCheckpoint(data[i+2:])
	check(err, "%s: new checkpoint", path)
	n := cp.tree.N
	if old > n {
		fail("%s: old size %d is beyond the new size %d", path, old, n)
	}
	if old == 0 {
		if len(proof) != 0 {
			fail("%s: a proof from size 0 must be empty", path)
		}
	} else {
		oldRoot, ok := roots[old]
		if !ok {
			fail("%s: no verified checkpoint of the old size %d to check against", path, old)
		}
		check(tlog.CheckTree(proof, n, cp.tree.Hash, old, oldRoot),
			"%s: tlog.CheckTree(%d -> %d)", path, old, n)
	}
	if prev, ok := roots[n]; ok && prev != cp.tree.Hash {
		fail("%s: root %s for size %d, but another checkpoint says %s", path, cp.tree.Hash, n, prev)
	}
	if l != nil && n <= l.cp.tree.N {
		h, err := l.treeHash(n)
		check(err, "%s: tree hash at size %d", path, n)
		if h != cp.tree.Hash {
			fail("%s: root at size %d is not what the log's tiles give", path, n)
		}
	}
	fmt.Printf("consistency %s: size %d -> %d (%d hashes): tlog.CheckTree OK\n",
		filepath.Base(path), old, n, len(proof))
}

// --- Test-vector extras -------------------------------------------------------------------------

func readHexLines(path string) map[int64]tlog.Hash {
	f, err := os.Open(path)
	check(err, "opening %s", path)
	defer f.Close()
	out := map[int64]tlog.Hash{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		if len(parts) != 2 {
			fail("%s: bad line %q", path, sc.Text())
		}
		k, err := strconv.ParseInt(parts[0], 10, 64)
		check(err, "%s", path)
		raw, err := hex.DecodeString(parts[1])
		if err != nil || len(raw) != tlog.HashSize {
			fail("%s: bad hash on line %q", path, sc.Text())
		}
		var h tlog.Hash
		copy(h[:], raw)
		out[k] = h
	}
	check(sc.Err(), "reading %s", path)
	return out
}

func sortedGlob(pattern string) []string {
	files, err := filepath.Glob(pattern)
	check(err, "glob %s", pattern)
	sort.Strings(files)
	return files
}

// --- Main ---------------------------------------------------------------------------------------

func main() {
	var (
		keyFlag      = flag.String("key", "", "the log's verifier key `VKEY` (or @FILE to read it from a file)")
		cpFlag       = flag.String("checkpoint", "", "read the checkpoint from `FILE` instead of SOURCE/checkpoint")
		vectors      = flag.Bool("vectors", false, "SOURCE is Chancery's tests/ledger/vectors: also check its checkpoints, proofs, leaf hashes and roots")
		entries      = flag.Bool("entries", true, "check every entry bundle against the leaf hashes")
		oldTiles     = flag.Bool("old-tiles", false, "also authenticate each -old checkpoint against the tiles at its own size")
		witnessFlags multiFlag
		oldFlags     multiFlag
		proofFlags   multiFlag
		consFlags    multiFlag
	)
	flag.Var(&witnessFlags, "witness", "a witness's cosignature/v1 verifier key (or @FILE): its cosignatures are verified where present (repeatable)")
	flag.BoolVar(&requireWitness, "require-witness", false, "every checkpoint must carry the cosignature of every -witness")
	flag.Var(&oldFlags, "old", "an older signed checkpoint `FILE` that must be consistent with the log (repeatable)")
	flag.Var(&proofFlags, "proof", "a tlog-proof@v1 `FILE` to verify (repeatable)")
	flag.Var(&consFlags, "consistency", "a consistency proof `FILE` in add-checkpoint format (repeatable)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: verify -key VKEY [flags] [SOURCE (URL or directory)]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *keyFlag == "" || flag.NArg() > 1 || (flag.NArg() == 0 && (len(proofFlags)+len(consFlags) == 0 || *vectors)) {
		flag.Usage()
		os.Exit(2)
	}
	readKey := func(v string) string {
		if strings.HasPrefix(v, "@") {
			data, err := os.ReadFile(v[1:])
			check(err, "reading key file")
			v = string(data)
		}
		return strings.TrimSpace(v)
	}
	var err error
	logVerifier, err = note.NewVerifier(readKey(*keyFlag))
	check(err, "the log key")
	for _, w := range witnessFlags {
		v, err := newCosigVerifier(readKey(w))
		check(err, "witness key")
		witnesses = append(witnesses, v)
	}

	roots := map[int64]tlog.Hash{}
	var l *logState
	if flag.NArg() == 1 {
		src := newSource(flag.Arg(0))
		var msg []byte
		if *cpFlag != "" {
			msg, err = os.ReadFile(*cpFlag)
		} else {
			msg, err = src.get("checkpoint")
		}
		check(err, "reading the checkpoint")
		cp, err := openCheckpoint(msg)
		check(err, "checkpoint")
		fmt.Printf("checkpoint: %s, signed by %s (note.Open)\n", cp, strings.Join(cp.signed, ", "))
		tr := &tileReader{src: src, tiles: map[string]bool{}}
		l = &logState{src: src, tr: tr, cp: cp, reader: tlog.TileHashReader(cp.tree, tr), roots: roots}
		l.addRoot(cp.tree.N, cp.tree.Hash, "checkpoint")
		th, err := l.treeHash(cp.tree.N)
		check(err, "tlog.TreeHash over the tiles")
		if th != cp.tree.Hash {
			fail("tlog.TreeHash %s is not the signed root %s", th, cp.tree.Hash)
		}
		leaves := l.leafHashes()
		fmt.Printf("tiles: %d hash tiles read through tlog.TileHashReader; tlog.TreeHash(%d) = signed root\n",
			len(tr.tiles), cp.tree.N)
		count := l.authenticateAllTiles(leaves, cp.tree.N, cp.tree.Hash)
		fmt.Printf("tiles: tree rebuilt from the %d leaf hashes has the signed root; all %d hash tiles equal tlog.ReadTileData of it\n",
			len(leaves), count)
		if *entries {
			count, bundles := l.checkEntries(leaves)
			fmt.Printf("entries: %d entries in %d bundles, each tlog.RecordHash equal to its leaf hash\n", count, bundles)
		}
		if *vectors {
			dir := flag.Arg(0)
			want := readHexLines(filepath.Join(dir, "leaf-hashes.txt"))
			if int64(len(want)) != cp.tree.N {
				fail("leaf-hashes.txt has %d lines, not %d", len(want), cp.tree.N)
			}
			for i, h := range leaves {
				if want[int64(i)] != h {
					fail("leaf-hashes.txt: hash %d is %s, the tiles say %s", i, want[int64(i)], h)
				}
			}
			fmt.Printf("vectors: leaf-hashes.txt: all %d leaf hashes match the tiles\n", len(leaves))
			wantRoots := readHexLines(filepath.Join(dir, "roots.txt"))
			for n := int64(0); n <= cp.tree.N; n++ {
				h, err := l.treeHash(n)
				check(err, "tlog.TreeHash(%d)", n)
				if w, ok := wantRoots[n]; !ok || w != h {
					fail("roots.txt: size %d: %s, but tlog.TreeHash gives %s", n, w, h)
				}
			}
			fmt.Printf("vectors: roots.txt: the roots of all %d tree sizes 0..%d match tlog.TreeHash\n", len(wantRoots), cp.tree.N)
			for _, f := range sortedGlob(filepath.Join(dir, "checkpoints", "*")) {
				if strings.HasSuffix(f, ".cosigned") {
					continue
				}
				oldFlags = append(oldFlags, f)
			}
			*oldTiles = true
		}
		for _, f := range oldFlags {
			data, err := os.ReadFile(f)
			check(err, "reading %s", f)
			old, err := openCheckpoint(data)
			check(err, "%s", f)
			fmt.Printf("checkpoint %s: size %d, signed; %s\n", filepath.Base(f), old.tree.N, l.checkOld(old, *oldTiles))
		}
		if *vectors {
			dir := flag.Arg(0)
			for _, f := range sortedGlob(filepath.Join(dir, "checkpoints", "*.cosigned")) {
				data, err := os.ReadFile(f)
				check(err, "reading %s", f)
				cs, err := openCheckpointWitnessed(data, true)
				check(err, "%s", f)
				l.checkOld(cs, false)
				fmt.Printf("checkpoint %s: size %d, signatures verified: %s\n", filepath.Base(f), cs.tree.N, strings.Join(cs.signed, ", "))
			}
			proofFlags = append(proofFlags, sortedGlob(filepath.Join(dir, "proofs", "inclusion", "*"))...)
			consFlags = append(consFlags, sortedGlob(filepath.Join(dir, "proofs", "consistency", "*"))...)
		}
	}
	if l == nil { // no log: the -old checkpoints only provide old roots for -consistency
		for _, f := range oldFlags {
			data, err := os.ReadFile(f)
			check(err, "reading %s", f)
			old, err := openCheckpoint(data)
			check(err, "%s", f)
			roots[old.tree.N] = old.tree.Hash
			fmt.Printf("checkpoint %s: %s, signed by %s\n", filepath.Base(f), old, strings.Join(old.signed, ", "))
		}
	}
	for _, f := range proofFlags {
		checkProofFile(l, f)
	}
	for _, f := range consFlags {
		checkConsistencyFile(l, roots, f)
	}
	fmt.Println("OK")
}
