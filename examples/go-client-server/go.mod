module example.com/go-client-server

go 1.22
