// Oracle for bakepy/support/gomatch.py: reads {"patterns": [...], "names": [...]} on stdin and
// prints the names and, per pattern, the names Go's path.Match matches (or its error).
//
//	go run scripts/oracles/pathmatch.go < in.json > tests/fixtures/oracles/pathmatch.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
)

func main() {
	var in struct {
		Patterns []string `json:"patterns"`
		Names    []string `json:"names"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := []map[string]interface{}{}
	for _, p := range in.Patterns {
		row := map[string]interface{}{"pattern": p}
		matched := []string{}
		for _, n := range in.Names {
			ok, err := path.Match(p, n)
			if err != nil {
				row["error"] = err.Error()
				break
			}
			if ok {
				matched = append(matched, n)
			}
		}
		if _, bad := row["error"]; !bad {
			row["matches"] = matched
		}
		out = append(out, row)
	}
	b, _ := json.MarshalIndent(map[string]interface{}{"names": in.Names, "cases": out}, "", " ")
	fmt.Println(string(b))
}
