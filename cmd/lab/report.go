package main

import "context"

func runReport(ctx context.Context, args []string) error { return nil }
