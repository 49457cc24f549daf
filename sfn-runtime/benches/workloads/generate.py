#!/usr/bin/env python3
"""Writes the benchmark workloads: `<name>.asl.json`, `<name>.input.json`, `<name>.output.json`.

The files are committed; this script only documents how they were made and remakes them
(`python3 generate.py` in this folder). Any engine can run a definition on its input and
compare with the expected output.
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write(name, definition, inp, out):
    for suffix, value in (("asl", definition), ("input", inp), ("output", out)):
        text = json.dumps(value, indent=2 if suffix == "asl" else None, separators=None if suffix == "asl" else (",", ":"))
        (HERE / f"{name}.{suffix}.json").write_text(text + "\n")


def pass_chain(n):
    states = {}
    for i in range(n):
        s = {"Type": "Pass", "Parameters": {"step": i, "value.$": "$.value"}, "ResultPath": "$.last"}
        if i + 1 == n:
            s["End"] = True
        else:
            s["Next"] = f"S{i + 1}"
        states[f"S{i}"] = s
    definition = {"Comment": f"A chain of {n} Pass states with Parameters and ResultPath", "StartAt": "S0", "States": states}
    return definition, {"value": 1}, {"value": 1, "last": {"step": n - 1, "value": 1}}


def choice_loop(n):
    definition = {
        "Comment": f"A Choice loop of {n} iterations counting with States.MathAdd",
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.count", "NumericLessThanPath": "$.limit", "Next": "Increment"}],
                "Default": "Done",
            },
            "Increment": {
                "Type": "Pass",
                "Parameters": {"count.$": "States.MathAdd($.count, 1)", "limit.$": "$.limit"},
                "Next": "Check",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    return definition, {"count": 0, "limit": n}, {"count": n, "limit": n}


def inline_map(n):
    definition = {
        "Comment": f"An inline Map over {n} items, one Pass state per item",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Double",
                    "States": {
                        "Double": {
                            "Type": "Pass",
                            "Parameters": {"double.$": "States.MathAdd($, $)"},
                            "OutputPath": "$.double",
                            "End": True,
                        }
                    },
                },
                "ResultPath": "$.doubled",
                "OutputPath": "$.doubled",
                "End": True,
            }
        },
    }
    items = list(range(n))
    return definition, {"items": items}, [2 * i for i in items]


def parallel(n):
    branches = []
    for b in range(n):
        branches.append({
            # State names are unique across the whole machine, branches included.
            "StartAt": f"Tag{b}",
            "States": {
                f"Tag{b}": {"Type": "Pass", "Parameters": {"branch": b, "value.$": "$.value"}, "Next": f"Add{b}"},
                f"Add{b}": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.value, $.branch)"}, "OutputPath": "$.sum", "End": True},
            },
        })
    definition = {
        "Comment": f"A Parallel state with {n} branches of two Pass states each",
        "StartAt": "Fan",
        "States": {"Fan": {"Type": "Parallel", "Branches": branches, "End": True}},
    }
    return definition, {"value": 100}, [100 + b for b in range(n)]


def parked_wait():
    definition = {
        "Comment": "An Express execution that parks in a one-hour Wait",
        "StartAt": "Park",
        "States": {
            "Park": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    return definition, {"order": 42}, {"order": 42}


if __name__ == "__main__":
    write("pass-chain-100", *pass_chain(100))
    write("choice-loop-1000", *choice_loop(1000))
    write("map-inline-1000", *inline_map(1000))
    write("map-inline-10000", *inline_map(10000))
    write("parallel-10", *parallel(10))
    write("wait-parked", *parked_wait())
