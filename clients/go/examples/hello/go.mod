module example.com/paddock-hello

go 1.26.0

// Until the client is published (tag clients/go/v0.1.0 on the repository), build against the
// checkout: delete this replace and the require resolves through the Go module proxy.
replace github.com/paddock-dev/paddock/clients/go => ../..

require github.com/paddock-dev/paddock/clients/go v0.1.0

require (
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260817212433-ac3dfec99bb1 // indirect
	google.golang.org/grpc v1.85.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
