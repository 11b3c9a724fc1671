// A Go program for Cannon64's tests that talks to the preimage oracle the way a fault-proof
// program does: hints on fd 4 acknowledged on fd 3, keys on fd 6, length-prefixed preimages
// on fd 5. It reads local data 1 (32 bytes), local data 2 (the keccak256 key of a blob), the
// blob itself, and local data 3 (the blob's sha256), and exits 0 when the blob's sha256 is
// local data 3.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

var (
	hintRead      = os.NewFile(3, "hint-read")
	hintWrite     = os.NewFile(4, "hint-write")
	preimageRead  = os.NewFile(5, "preimage-read")
	preimageWrite = os.NewFile(6, "preimage-write")
)

func hint(s string) {
	var frame bytes.Buffer
	_ = binary.Write(&frame, binary.BigEndian, uint32(len(s)))
	frame.WriteString(s)
	if _, err := hintWrite.Write(frame.Bytes()); err != nil {
		panic(err)
	}
	var ack [1]byte
	if _, err := io.ReadFull(hintRead, ack[:]); err != nil {
		panic(err)
	}
}

func get(key [32]byte) []byte {
	if _, err := preimageWrite.Write(key[:]); err != nil {
		panic(err)
	}
	var n [8]byte
	if _, err := io.ReadFull(preimageRead, n[:]); err != nil {
		panic(err)
	}
	data := make([]byte, binary.BigEndian.Uint64(n[:]))
	if _, err := io.ReadFull(preimageRead, data); err != nil {
		panic(err)
	}
	return data
}

func local(ident byte) []byte {
	var key [32]byte
	key[0] = 1
	key[31] = ident
	return get(key)
}

func main() {
	head := local(1)
	hint(fmt.Sprintf("l1-block-header 0x%x", head))
	var blobKey [32]byte
	copy(blobKey[:], local(2))
	blob := get(blobKey)
	want := local(3)
	got := sha256.Sum256(blob)
	fmt.Printf("head %x blob %d bytes\n", head[:4], len(blob))
	if len(head) != 32 || !bytes.Equal(got[:], want) {
		os.Exit(1)
	}
}
