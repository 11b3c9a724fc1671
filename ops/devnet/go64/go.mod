module riposte.dev/go64

go 1.24
