// Oracle for bakepy/support/durations.py: reads a JSON list of strings on stdin and prints,
// for each, what Go's time.ParseDuration and Duration.String make of it (or Go's error).
//
//	go run scripts/oracles/durations.go < inputs.json > tests/fixtures/oracles/durations.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

func main() {
	var inputs []string
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		panic(err)
	}
	out := []map[string]interface{}{}
	for _, s := range inputs {
		d, err := time.ParseDuration(s)
		if err != nil {
			out = append(out, map[string]interface{}{"text": s, "error": err.Error()})
		} else {
			out = append(out, map[string]interface{}{"text": s, "nanoseconds": int64(d), "string": d.String()})
		}
	}
	b, _ := json.MarshalIndent(out, "", " ")
	fmt.Println(string(b))
}
