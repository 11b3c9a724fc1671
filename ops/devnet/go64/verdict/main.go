// The devnet's Go stand-in for a fault-proof program in Cannon64 games: it reads the local data
// every execution subgame gives (the agreed and disputed output roots, the disputed L2 block
// number and the chain id) through the preimage fds, folds them with sha256 on a second
// goroutine, prints the digest, and declares the disputed output invalid (exit 1), as the
// alphabet VM does for every claim. Go's runtime start-up makes it about half a million steps.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

var (
	preimageRead  = os.NewFile(5, "preimage-read")
	preimageWrite = os.NewFile(6, "preimage-write")
)

func local(ident byte) []byte {
	var key [32]byte
	key[0] = 1
	key[31] = ident
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

func main() {
	parts := [][]byte{local(2), local(3), local(4), local(5)}
	digest := make(chan [32]byte)
	go func() {
		h := sha256.New()
		for _, p := range parts {
			h.Write(p)
		}
		var d [32]byte
		copy(d[:], h.Sum(nil))
		digest <- d
	}()
	d := <-digest
	fmt.Printf("digest %x\n", d[:8])
	os.Exit(1)
}
