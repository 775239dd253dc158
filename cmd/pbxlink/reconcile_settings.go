package main

import (
	"flag"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/zoom"
)

// reconcileSettings say how often the fleet reconciles Zoom with the
// rooms' state, and how much of the rate limit it may use.
type reconcileSettings struct {
	Interval time.Duration
	Share    float64
}

func (s *reconcileSettings) flags(fs *flag.FlagSet) {
	fs.Var(durationVar(&s.Interval, consumer.DefaultReconcileInterval, time.Minute, "minutes"), "reconcile-interval",
		"how often the fleet reads every room back from Zoom and repairs what differs from its state: a duration (1h) or a number of minutes; 0 never")
	fs.Float64Var(&s.Share, "reconcile-share", consumer.DefaultReconcileShare,
		"the share of the Medium rate limit the reconciler paces its own calls to (0.1 is a tenth)")
}

func (s *reconcileSettings) validate() []error {
	var errs []error
	if s.Interval < 0 {
		errs = append(errs, problem("reconcile-interval", "%v: must not be negative (0 switches the reconciler off)", s.Interval))
	}
	if s.Share <= 0 || s.Share > 1 {
		errs = append(errs, problem("reconcile-share", "%v: want more than 0 and at most 1", s.Share))
	}
	return errs
}

// schedule is the worker's reconcile schedule: paced to the share of the
// plan's (or the overridden) Medium limits.
func (s *reconcileSettings) schedule(plan, limits string) consumer.ReconcileSchedule {
	out := consumer.ReconcileSchedule{Interval: s.Interval, Rates: s.rates(plan, limits)}
	if s.Interval == 0 {
		out.Interval = -1 // 0 on the command line: never
	}
	return out
}

// rates is the reconciler's pace per API family.
func (s *reconcileSettings) rates(plan, limits string) map[zoom.Family]float64 {
	p, _ := zoom.ParsePlan(plan)
	l, _ := zoom.ParseLimits(limits)
	rates, _ := consumer.ReconcileRates(zoom.LimiterConfig{Plan: p, Limits: l}, s.Share)
	return rates
}
