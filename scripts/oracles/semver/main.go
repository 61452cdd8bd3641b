// Oracle for semvercmp (bakepy/hcl/functions/semver.py): reads [[version, constraint], ...] on
// stdin and prints what Masterminds/semver v3.4.0 (the version buildx uses) makes of each.
// No module proxy is needed: put the v3.4.0 source in ./semver (e.g. git archive v3.4.0),
// then: go build -o /tmp/semver-oracle . && /tmp/semver-oracle < in.json
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/Masterminds/semver/v3"
)

func main() {
	var in [][2]string
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := []map[string]interface{}{}
	for _, c := range in {
		row := map[string]interface{}{"version": c[0], "constraint": c[1]}
		v, err := semver.NewVersion(c[0])
		if err != nil {
			row["error"] = err.Error()
		} else if k, err := semver.NewConstraint(c[1]); err != nil {
			row["error"] = err.Error()
		} else {
			row["result"] = k.Check(v)
		}
		out = append(out, row)
	}
	b, _ := json.MarshalIndent(out, "", " ")
	fmt.Println(string(b))
}
