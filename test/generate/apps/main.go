// A small application on database/sql and go-sql-driver/mysql, run twice at once: with the pool
// that dbcache generated (package db, the generated Open) and with database/sql's defaults (the
// control). Each side runs bursts of concurrent queries, then idles past the server's
// wait_timeout, several times. It prints one JSON line: the errors each side saw.
//
// Usage: app CONTROL_DSN GAPS GAP_SECONDS CONCURRENCY
package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"dbcacheapp/db"

	_ "github.com/go-sql-driver/mysql"
)

type result struct {
	Errors  []string `json:"errors"`
	Queries int      `json:"queries"`
}

func scenario(pool *sql.DB, gaps int, gap time.Duration, concurrency int) result {
	var mu sync.Mutex
	res := result{Errors: []string{}}
	burst := func() {
		var wg sync.WaitGroup
		for i := 0; i < concurrency; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var slept int
				err := pool.QueryRow("SELECT SLEEP(0.3)").Scan(&slept)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					res.Errors = append(res.Errors, err.Error())
				} else {
					res.Queries++
				}
			}()
		}
		wg.Wait()
	}
	burst()
	for i := 0; i < gaps; i++ {
		time.Sleep(gap)
		burst()
	}
	pool.Close()
	return res
}

func main() {
	gaps, _ := strconv.Atoi(os.Args[2])
	seconds, _ := strconv.ParseFloat(os.Args[3], 64)
	concurrency, _ := strconv.Atoi(os.Args[4])
	gap := time.Duration(seconds * float64(time.Second))
	generated, err := db.Open()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	control, err := sql.Open("mysql", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	results := map[string]result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, pool := range map[string]*sql.DB{"generated": generated, "control": control} {
		wg.Add(1)
		go func(name string, pool *sql.DB) {
			defer wg.Done()
			r := scenario(pool, gaps, gap, concurrency)
			mu.Lock()
			results[name] = r
			mu.Unlock()
		}(name, pool)
	}
	wg.Wait()
	out, _ := json.Marshal(results)
	fmt.Println(string(out))
}
