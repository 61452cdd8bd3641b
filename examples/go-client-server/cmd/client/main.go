package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

var version = "dev"

func main() {
	url := "http://localhost:8080/"
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	resp, err := http.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("client %s got: %s", version, body)
}
