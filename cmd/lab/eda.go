package main

import (
	"context"
	"errors"
)

func runEDA(ctx context.Context, args []string) error { return errors.New("eda: not built yet") }
