module baton.dev/demo-app

go 1.22
