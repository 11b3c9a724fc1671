// A Go program for Cannon64's tests, std library only: goroutines on several OS threads,
// channels, a mutex, a WaitGroup, garbage-collector pressure, maps, time.Sleep and
// crypto/sha256. It prints its results and exits 0 when every check holds.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	results := make(chan [32]byte, 8)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			h := sha256.Sum256([]byte{byte(id)})
			for j := 0; j < 200; j++ {
				h = sha256.Sum256(h[:])
				mu.Lock()
				total += id
				mu.Unlock()
				if j%50 == 0 {
					runtime.Gosched()
				}
			}
			results <- h
		}(i)
	}
	// Garbage: short-lived slices and a map that grows, with collections in between.
	m := map[int][]byte{}
	for i := 0; i < 3000; i++ {
		m[i%700] = make([]byte, 1024+i%512)
		if i%1000 == 999 {
			runtime.GC()
		}
	}
	wg.Wait()
	close(results)
	var acc [32]byte
	n := 0
	for h := range results {
		for k := range acc {
			acc[k] ^= h[k]
		}
		n++
	}
	start := time.Now()
	time.Sleep(2 * time.Millisecond)
	slept := time.Since(start)
	fmt.Printf("total %d results %d acc %x map %d slept %v\n", total, n, acc[:6], len(m), slept >= 2*time.Millisecond)
	if total != 200*(0+1+2+3+4+5) || n != 6 || len(m) != 700 || slept < 2*time.Millisecond {
		os.Exit(1)
	}
}
