"""The signature list on the project's own labelled sets (tests/fixtures/eval/README.md):
a rule change that loses recall or precision there fails CI, the way the benign collection
catches single false alarms."""

from pathlib import Path

import pytest

from himaya.core.corpus import evaluate, read_items

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

EVAL = Path(__file__).parent / "fixtures" / "eval"

# (file, signals, minimum precision, minimum recall, maximum false-positive rate on hard negatives,
#  minimum rate of risky threads warned, maximum rate of benign threads warned)
FLOORS = [
    ("probe1.jsonl", "rules", 0.97, 0.97, 0.03, 0.9, 0.1),
    ("probe2.jsonl", "rules", 0.97, 0.97, 0.03, 0.9, 0.1),
    ("probe3.jsonl", "rules", 0.97, 0.97, 0.03, 0.9, 0.1),
    ("probe4.jsonl", "rules", 0.95, 0.88, 0.05, 0.9, 0.1),  # blind when written: the honest figure
    ("probe5.jsonl", "rules", 0.93, 0.60, 0.08, 0.55, 0.1),  # blind, implicit wording: first measured R 0.623
    # Rules and the model together (what a family's computer runs):
    ("probe1.jsonl", "both", 0.95, 0.97, 0.05, 0.9, 0.3),
    ("probe2.jsonl", "both", 0.95, 0.97, 0.05, 0.9, 0.3),
    ("probe3.jsonl", "both", 0.95, 0.97, 0.05, 0.9, 0.3),
    ("probe4.jsonl", "both", 0.95, 0.90, 0.05, 0.9, 0.2),
    ("probe5.jsonl", "both", 0.93, 0.75, 0.08, 0.7, 0.1),  # first measured with the model: R 0.781
    ("probe6.jsonl", "rules", 0.93, 0.62, 0.09, 0.4, 0.2),  # blind, end of round: first measured R 0.590
    ("probe6.jsonl", "both", 0.93, 0.77, 0.10, 0.6, 0.25),  # first measured R 0.778
    ("probe7.jsonl", "rules", 0.95, 0.62, 0.03, 0.65, 0.05),  # blind, session 3: first measured R 0.621
    ("probe7.jsonl", "both", 0.95, 0.78, 0.04, 0.75, 0.1),  # first measured R 0.806
    ("probe8.jsonl", "rules", 0.97, 0.68, 0.02, 0.65, 0.05),  # blind, session 4: first measured R 0.651
    ("probe8.jsonl", "both", 0.93, 0.78, 0.08, 0.8, 0.2),  # first measured R 0.770
    ("probe9.jsonl", "rules", 0.92, 0.73, 0.08, 0.75, 0.05),  # blind, first measured after session 4's tuning: R 0.752
    ("probe9.jsonl", "both", 0.90, 0.82, 0.11, 0.9, 0.15),  # first measured R 0.838
    ("probe10.jsonl", "rules", 0.95, 0.77, 0.05, 0.75, 0.1),  # blind, after session 4's tuning: first measured R 0.791
    ("probe10.jsonl", "both", 0.92, 0.82, 0.10, 0.82, 0.2),  # first measured R 0.844
    ("probe11.jsonl", "rules", 0.90, 0.67, 0.09, 0.7, 0.1),  # blind, after session 4's second round: first measured R 0.697
    # first measured R 0.853; 0.798 since session 5's model ships gifts and move-to-private switched
    # off (precision first: probe12's hard negatives 9.2 % -> 3.5 %; docs/MODEL.md)
    ("probe11.jsonl", "both", 0.90, 0.78, 0.10, 0.9, 0.15),
    ("probe12.jsonl", "rules", 0.93, 0.60, 0.05, 0.55, 0.1),  # blind, session 5, before tuning: first measured R 0.564
    ("probe12.jsonl", "both", 0.88, 0.72, 0.11, 0.6, 0.15),  # first measured R 0.664
    ("probe13.jsonl", "rules", 0.90, 0.50, 0.08, 0.3, 0.1),  # blind, session 5, measured once after its round: R 0.531
    ("probe13.jsonl", "both", 0.88, 0.60, 0.10, 0.4, 0.2),  # with the model retrained that round: R 0.622
    ("probe14.jsonl", "rules", 0.93, 0.63, 0.05, 0.55, 0.08),  # blind, session 5, chats, measured once at its end: R 0.660
    ("probe14.jsonl", "both", 0.90, 0.71, 0.10, 0.65, 0.12),  # first measured R 0.740
    ("probe15.jsonl", "rules", 0.93, 0.57, 0.06, 0.45, 0.1),  # blind, session 6, before tuning: first measured R 0.602
    ("probe15.jsonl", "both", 0.93, 0.68, 0.07, 0.6, 0.15),  # first measured R 0.711
    # blind, session 6, measured once after its first round: R 0.598; ordinary chats 2 -> 3 of 27 in session 13,
    # when "mamek" was read as "your mother": a father's "don't tell mamek, not a word" warns before his
    # next message says it is her birthday surprise (the same words as any stranger's secret from the mother)
    ("probe16.jsonl", "rules", 0.92, 0.57, 0.07, 0.7, 0.12),
    # first measured R 0.748; ordinary chats 2 -> 3 of 27 with session 12's model (a grandmother's "send me a
    # picture, my girl" before the child's reply names her): on all sets that model adds 6 risky items
    # caught for 2 more hard negatives and 1 fewer plain item warned (docs/MODEL.md)
    ("probe16.jsonl", "both", 0.93, 0.72, 0.07, 0.75, 0.12),
    ("probe17.jsonl", "rules", 0.91, 0.60, 0.07, 0.8, 0.12),  # blind, session 6, measured once after its rounds: R 0.632
    ("probe17.jsonl", "both", 0.92, 0.72, 0.07, 0.85, 0.12),  # first measured R 0.752
    ("probe18.jsonl", "rules", 0.88, 0.48, 0.08, 0.55, 0.1),  # blind, session 6, measured once before its last round: R 0.516
    ("probe18.jsonl", "both", 0.90, 0.58, 0.08, 0.68, 0.1),  # first measured R 0.611
    ("probe19.jsonl", "rules", 0.94, 0.72, 0.05, 0.65, 0.1),  # blind, session 6, measured once at its end: R 0.752
    ("probe19.jsonl", "both", 0.92, 0.78, 0.08, 0.75, 0.2),  # first measured R 0.817
    ("probe20.jsonl", "rules", 0.93, 0.62, 0.07, 0.55, 0.15),  # blind, session 7, before tuning on it: R 0.657
    ("probe20.jsonl", "both", 0.93, 0.72, 0.07, 0.7, 0.15),  # first measured R 0.760 (hard negatives 10 %)
    ("probe21.jsonl", "rules", 0.90, 0.92, 0.12, 0.9, 0.25),  # blind, session 7, after its rounds: R 0.967, P 0.928
    # first measured the same (hard negatives 11.3 %); ordinary chats 5 -> 9 of 32 since session 8 reads the
    # other side's words over the child's replies (all sets: risky chats warned in time 633 -> 733 of 1 071,
    # ordinary chats 46 -> 52 of 941): classmates planning an outing
    ("probe21.jsonl", "both", 0.90, 0.92, 0.13, 0.9, 0.29),
    ("probe22.jsonl", "rules", 0.90, 0.82, 0.12, 0.72, 0.16),  # blind, session 7, measured once at its end: R 0.861
    ("probe22.jsonl", "both", 0.90, 0.87, 0.13, 0.85, 0.16),  # first measured R 0.910, P 0.925 (hard negatives 11.3 %)
    ("probe23.jsonl", "rules", 0.86, 0.86, 0.18, 0.75, 0.3),  # blind, session 7, measured once at its very end: R 0.895
    ("probe23.jsonl", "both", 0.86, 0.90, 0.19, 0.82, 0.33),  # first measured R 0.935, P 0.879 (hard negatives 18.1 %)
    ("probe24.jsonl", "rules", 0.90, 0.59, 0.08, 0.62, 0.15),  # blind, session 8, after its first round: R 0.626
    ("probe24.jsonl", "both", 0.88, 0.69, 0.11, 0.78, 0.22),  # first measured R 0.725, P 0.913 (hard negatives 8.9 %)
    ("probe25.jsonl", "rules", 0.90, 0.68, 0.09, 0.75, 0.1),  # blind, session 8, after its second round: R 0.721
    ("probe25.jsonl", "both", 0.90, 0.77, 0.09, 0.85, 0.1),  # first measured R 0.803, P 0.942 (hard negatives 6.2 %)
    ("probe26.jsonl", "rules", 0.92, 0.72, 0.08, 0.85, 0.1),  # blind, session 8, after its third round: R 0.761, P 0.953
    ("probe26.jsonl", "both", 0.92, 0.78, 0.09, 0.9, 0.1),  # first measured R 0.818, P 0.949 (hard negatives 6.5 %)
    ("probe27.jsonl", "rules", 0.86, 0.75, 0.15, 0.8, 0.22),  # blind, session 8, after its fourth round: R 0.788, P 0.897
    ("probe27.jsonl", "both", 0.87, 0.86, 0.15, 0.88, 0.22),  # first measured R 0.901, P 0.908 (hard negatives 12.5 %)
    ("probe28.jsonl", "rules", 0.91, 0.74, 0.07, 0.8, 0.15),  # blind, session 9, after its first round: R 0.682, P 0.915
    ("probe28.jsonl", "both", 0.90, 0.83, 0.08, 0.85, 0.15),  # first measured R 0.782, P 0.915 (hard negatives 7.2 %)
    ("probe29.jsonl", "rules", 0.92, 0.84, 0.07, 0.8, 0.1),  # blind, session 9, after its second round: R 0.815, P 0.917
    ("probe29.jsonl", "both", 0.92, 0.89, 0.07, 0.85, 0.1),  # first measured R 0.861, P 0.921 (hard negatives 7.2 %)
    ("probe30.jsonl", "rules", 0.91, 0.86, 0.09, 0.9, 0.2),  # blind, session 9, after its third round: R 0.893, P 0.901
    ("probe30.jsonl", "both", 0.90, 0.91, 0.1, 0.9, 0.22),  # first measured R 0.938, P 0.897 (hard negatives 11.1 %)
    ("probe31.jsonl", "rules", 0.92, 0.82, 0.07, 0.75, 0.1),  # blind, session 10, after its first round: R 0.844, P 0.942
    ("probe31.jsonl", "both", 0.91, 0.87, 0.09, 0.85, 0.12),  # first measured R 0.896, P 0.928 (hard negatives 7.5 %)
    ("probe32.jsonl", "rules", 0.87, 0.75, 0.12, 0.85, 0.12),  # blind, session 10, after its third round: R 0.774, P 0.890
    ("probe32.jsonl", "both", 0.87, 0.79, 0.12, 0.88, 0.12),  # first measured R 0.817, P 0.895 (hard negatives 10.5 %)
    ("probe33.jsonl", "rules", 0.91, 0.78, 0.08, 0.9, 0.1),  # blind, session 10, after its fourth round: R 0.802, P 0.933
    ("probe33.jsonl", "both", 0.90, 0.84, 0.1, 0.93, 0.15),  # first measured R 0.860, P 0.920 (hard negatives 8.0 %)
    ("probe34.jsonl", "rules", 0.87, 0.79, 0.12, 0.68, 0.24),  # blind, session 11, after its rounds and model: R 0.817, P 0.891
    ("probe34.jsonl", "both", 0.87, 0.85, 0.13, 0.78, 0.27),  # first measured R 0.875, P 0.890 (hard negatives 11.6 %)
    ("probe35.jsonl", "rules", 0.93, 0.79, 0.06, 0.72, 0.06),  # blind, session 12, its first code: R 0.817, P 0.961
    ("probe35.jsonl", "both", 0.93, 0.84, 0.07, 0.8, 0.09),  # first measured R 0.867, P 0.954 (hard negatives 4.5 %)
    ("probe36.jsonl", "rules", 0.91, 0.57, 0.07, 0.3, 0.05),  # blind, session 12, after its rounds and model: R 0.600
    ("probe36.jsonl", "both", 0.92, 0.73, 0.07, 0.55, 0.05),  # first measured R 0.758, P 0.948 (hard negatives 4.5 %)
    ("probe37.jsonl", "rules", 0.91, 0.75, 0.10, 0.6, 0.2),  # blind, session 13, after its first round: R 0.789
    ("probe37.jsonl", "both", 0.91, 0.83, 0.10, 0.7, 0.2),  # first measured R 0.872, P 0.943 (hard negatives 8.4 %)
    ("probe38.jsonl", "rules", 0.88, 0.65, 0.13, 0.6, 0.2),  # blind, session 13, after its four rounds: R 0.688
    ("probe38.jsonl", "both", 0.89, 0.75, 0.13, 0.65, 0.2),  # first measured R 0.790, P 0.924 (hard negatives 10.8 %)
    ("probe39.jsonl", "rules", 0.89, 0.69, 0.12, 0.55, 0.25),  # blind, session 14, after its first round: R 0.734
    ("probe39.jsonl", "both", 0.9, 0.8, 0.12, 0.6, 0.25),  # first measured R 0.844, P 0.942 (hard negatives 8.8 %)
    ("probe40.jsonl", "rules", 0.94, 0.66, 0.06, 0.35, 0.1),  # blind, session 14, after its first round: R 0.702
    ("probe40.jsonl", "both", 0.94, 0.76, 0.06, 0.55, 0.1),  # first measured R 0.801, P 0.984 (hard negatives 2.4 %)
    ("probe41.jsonl", "rules", 0.95, 0.69, 0.05, 0.35, 0.1),  # blind, session 14, after its rounds and retrained model: R 0.738
    ("probe41.jsonl", "both", 0.95, 0.79, 0.05, 0.55, 0.1),  # first measured R 0.835, P 0.992 (hard negatives 1.3 %)
    ("probe42.jsonl", "rules", 0.94, 0.63, 0.06, 0.45, 0.1),  # blind, session 14, after its rounds and retrained model: R 0.678
    ("probe42.jsonl", "both", 0.94, 0.76, 0.06, 0.55, 0.1),  # first measured R 0.808, P 0.983 (hard negatives 2.6 %)
    ("probe43.jsonl", "rules", 0.93, 0.62, 0.07, 0.85, 0.15),  # blind, session 15, after its first rounds: R 0.669
    ("probe43.jsonl", "both", 0.93, 0.72, 0.07, 0.85, 0.15),  # first measured R 0.772, P 0.974 (hard negatives 3.8 %)
    ("probe44.jsonl", "rules", 0.94, 0.69, 0.06, 0.9, 0.15),  # blind, session 15, after its first rounds: R 0.741
    ("probe44.jsonl", "both", 0.93, 0.79, 0.09, 0.9, 0.2),  # first measured R 0.839, P 0.968 (hard negatives 5.3 %)
    ("probe45.jsonl", "rules", 0.92, 0.66, 0.08, 0.8, 0.25),  # blind, session 15, after all its rounds: R 0.713
    ("probe45.jsonl", "both", 0.92, 0.82, 0.09, 0.85, 0.3),  # first measured R 0.867, P 0.954 (hard negatives 7.1 %)
    ("probe46.jsonl", "rules", 0.92, 0.70, 0.09, 0.9, 0.25),  # blind, session 15, after all its rounds: R 0.755
    ("probe46.jsonl", "both", 0.92, 0.79, 0.10, 0.9, 0.3),  # first measured R 0.839, P 0.952 (hard negatives 8.0 %)
    ("probe47.jsonl", "rules", 0.93, 0.65, 0.06, 0.5, 0.15),  # blind, session 16, after its first round: R 0.681
    ("probe47.jsonl", "both", 0.93, 0.75, 0.06, 0.65, 0.15),  # first measured R 0.785, P 0.966 (hard negatives 3.9 %)
    ("probe48.jsonl", "rules", 0.93, 0.72, 0.05, 0.6, 0.15),  # blind, session 16, after its first round: R 0.761
    ("probe48.jsonl", "both", 0.93, 0.83, 0.05, 0.65, 0.15),  # first measured R 0.873, P 0.976 (hard negatives 2.0 %)
    ("probe49.jsonl", "rules", 0.95, 0.74, 0.04, 0.7, 0.1),  # blind, session 16, after its second round: R 0.779
    ("probe49.jsonl", "both", 0.95, 0.82, 0.04, 0.75, 0.1),  # first measured R 0.860, P 0.983 (hard negatives 2.0 %)
    ("probe50.jsonl", "rules", 0.91, 0.78, 0.08, 0.4, 0.15),  # blind, session 16, after its second round: R 0.820
    ("probe50.jsonl", "both", 0.91, 0.84, 0.08, 0.45, 0.15),  # first measured R 0.885, P 0.939 (hard negatives 5.9 %)
    ("probe51.jsonl", "rules", 0.93, 0.73, 0.06, 0.45, 0.15),  # blind, session 16, after its third round: R 0.769
    ("probe51.jsonl", "both", 0.93, 0.82, 0.06, 0.6, 0.15),  # first measured R 0.864, P 0.962 (hard negatives 5.1 %)
    ("probe52.jsonl", "rules", 0.92, 0.66, 0.07, 0.55, 0.15),  # blind, session 16, after its third round: R 0.701
    ("probe52.jsonl", "both", 0.92, 0.78, 0.08, 0.6, 0.15),  # first measured R 0.818, P 0.949 (hard negatives 6.1 %)
    ("probe53.jsonl", "rules", 0.95, 0.67, 0.04, 0.65, 0.1),  # blind, session 16, after its fourth round: R 0.710
    ("probe53.jsonl", "both", 0.95, 0.80, 0.04, 0.8, 0.1),  # first measured R 0.847, P 0.982 (hard negatives 2.0 %)
    ("probe54.jsonl", "rules", 0.94, 0.66, 0.05, 0.35, 0.15),  # blind, session 16, after its fourth round: R 0.709
    ("probe54.jsonl", "both", 0.94, 0.76, 0.05, 0.4, 0.15),  # first measured R 0.798, P 0.973 (hard negatives 2.7 %)
    ("probe55.jsonl", "rules", 0.92, 0.74, 0.07, 0.5, 0.15),  # blind, session 16, after all its rounds: R 0.789
    ("probe55.jsonl", "both", 0.92, 0.77, 0.08, 0.5, 0.15),  # first measured R 0.812, P 0.947 (hard negatives 6.2 %)
    ("probe56.jsonl", "rules", 0.94, 0.73, 0.05, 0.5, 0.15),  # blind, session 16, after all its rounds: R 0.771
    ("probe56.jsonl", "both", 0.94, 0.81, 0.06, 0.6, 0.15),  # first measured R 0.850, P 0.968 (hard negatives 4.0 %)
    ("probe57.jsonl", "rules", 0.93, 0.82, 0.09, 0.9, 0.15),  # blind, session 17, before its changes: R 0.864
    ("probe57.jsonl", "both", 0.93, 0.90, 0.09, 0.9, 0.2),  # first measured R 0.914, P 0.948 (hard negatives 7.4 %)
    ("probe58.jsonl", "rules", 0.93, 0.66, 0.08, 0.8, 0.15),  # blind, session 17, at the same point: R 0.700
    ("probe58.jsonl", "both", 0.93, 0.82, 0.08, 0.85, 0.15),  # first measured R 0.800, P 0.957 (hard negatives 6.0 %)
    ("probe59.jsonl", "rules", 0.92, 0.80, 0.11, 0.85, 0.25),  # blind, session 17, after its new model: R 0.843
    ("probe59.jsonl", "both", 0.92, 0.90, 0.11, 0.85, 0.25),  # first measured R 0.936, P 0.949 (hard negatives 8.8 %)
    ("probe60.jsonl", "rules", 0.91, 0.69, 0.11, 0.85, 0.2),  # blind, session 17, at the same point: R 0.726
    ("probe60.jsonl", "both", 0.92, 0.84, 0.11, 0.85, 0.2),  # first measured R 0.877, P 0.948 (hard negatives 8.5 %)
    ("probe61.jsonl", "rules", 0.91, 0.83, 0.12, 0.9, 0.35),  # blind, session 17, after its first round: R 0.871
    ("probe61.jsonl", "both", 0.91, 0.90, 0.12, 0.9, 0.35),  # first measured R 0.943, P 0.943 (hard negatives 9.6 %)
    ("probe62.jsonl", "rules", 0.94, 0.76, 0.07, 0.8, 0.2),  # blind, session 17, at the same point: R 0.800
    ("probe62.jsonl", "both", 0.94, 0.82, 0.07, 0.85, 0.2),  # first measured R 0.857, P 0.968 (hard negatives 5.0 %)
    ("probe63.jsonl", "rules", 0.93, 0.74, 0.08, 0.85, 0.15),  # blind, session 17, at its end: R 0.783
    ("probe63.jsonl", "both", 0.92, 0.86, 0.11, 0.85, 0.2),  # first measured R 0.899, P 0.939 (hard negatives 9.4 %)
    ("probe64.jsonl", "rules", 0.93, 0.66, 0.08, 0.85, 0.25),  # blind, session 17, at the same point: R 0.700
    ("probe64.jsonl", "both", 0.94, 0.82, 0.08, 0.9, 0.25),  # first measured R 0.857, P 0.960 (hard negatives 6.3 %)
    ("probe65.jsonl", "rules", 0.96, 0.76, 0.04, 0.85, 0.1),  # blind, session 18, with the model's quieting: R 0.801
    ("probe65.jsonl", "both", 0.96, 0.86, 0.04, 0.88, 0.1),  # first measured R 0.897, P 0.992 (hard negatives 1.2 %)
    ("probe66.jsonl", "rules", 0.92, 0.68, 0.09, 0.85, 0.2),  # blind, session 18, at the same point: R 0.714
    ("probe66.jsonl", "both", 0.94, 0.82, 0.06, 0.88, 0.15),  # first measured R 0.857, P 0.976 (hard negatives 3.8 %)
    ("probe67.jsonl", "rules", 0.93, 0.70, 0.07, 0.84, 0.15),  # blind, session 18, with its retrained model: R 0.740
    ("probe67.jsonl", "both", 0.96, 0.85, 0.04, 0.92, 0.1),  # first measured R 0.887, P 0.993 (hard negatives 1.2 %)
    ("probe68.jsonl", "rules", 0.94, 0.60, 0.05, 0.76, 0.15),  # blind, session 18, at the same point: R 0.643
    ("probe68.jsonl", "both", 0.96, 0.87, 0.04, 0.92, 0.1),  # first measured R 0.907, P 0.992 (hard negatives 1.2 %)
    ("probe69.jsonl", "rules", 0.96, 0.72, 0.04, 0.88, 0.1),  # blind, session 18, at its end: R 0.762
    ("probe69.jsonl", "both", 0.96, 0.90, 0.04, 0.92, 0.1),  # first measured R 0.946, P 0.993 (hard negatives 1.2 %)
    ("probe70.jsonl", "rules", 0.92, 0.63, 0.09, 0.88, 0.25),  # blind, session 18, at the same point: R 0.676
    ("probe70.jsonl", "both", 0.93, 0.88, 0.10, 0.95, 0.2),  # first measured R 0.917, P 0.957 (hard negatives 7.2 %)
    ("probe71.jsonl", "rules", 0.95, 0.60, 0.04, 0.9, 0.1),  # blind, session 18, at its end: R 0.646
    ("probe71.jsonl", "both", 0.95, 0.82, 0.05, 0.95, 0.15),  # first measured R 0.864, P 0.985 (hard negatives 2.4 %)
    ("probe72.jsonl", "rules", 0.93, 0.70, 0.07, 0.88, 0.15),  # blind, session 18, at the same point: R 0.738
    ("probe72.jsonl", "both", 0.96, 0.84, 0.04, 0.95, 0.15),  # first measured R 0.879, P 0.992 (hard negatives 1.2 %)
    ("probe73.jsonl", "rules", 0.93, 0.65, 0.08, 0.8, 0.15),  # blind, session 19, with session 18's code: R 0.690
    ("probe73.jsonl", "both", 0.95, 0.86, 0.06, 0.9, 0.15),  # first measured R 0.901, P 0.977 (hard negatives 3.8 %)
    ("probe74.jsonl", "rules", 0.92, 0.64, 0.10, 0.75, 0.2),  # blind, session 19, at the same point: R 0.687
    ("probe74.jsonl", "both", 0.93, 0.87, 0.11, 0.88, 0.25),  # first measured R 0.912, P 0.950 (hard negatives 8.8 %)
    ("probe75.jsonl", "rules", 0.95, 0.62, 0.05, 0.6, 0.1),  # blind, session 19, at its end: R 0.664
    ("probe75.jsonl", "both", 0.96, 0.85, 0.05, 0.8, 0.1),  # first measured R 0.893, P 0.984 (hard negatives 2.4 %)
    ("probe76.jsonl", "rules", 0.91, 0.57, 0.10, 0.6, 0.3),  # blind, session 19, at the same point: R 0.614
    ("probe76.jsonl", "both", 0.94, 0.82, 0.08, 0.85, 0.25),  # first measured R 0.857, P 0.968 (hard negatives 5.0 %)
    ("probe77.jsonl", "rules", 0.94, 0.68, 0.07, 0.85, 0.1),  # blind, session 20, with session 19's code: R 0.716
    ("probe77.jsonl", "both", 0.96, 0.89, 0.04, 0.95, 0.1),  # first measured R 0.922, P 0.985 (hard negatives 2.5 %)
    ("probe78.jsonl", "rules", 0.90, 0.63, 0.12, 0.88, 0.3),  # blind, session 20, at its end: R 0.671
    ("probe78.jsonl", "both", 0.93, 0.92, 0.09, 0.95, 0.3),  # first measured R 0.950, P 0.957 (hard negatives 7.5 %)
    ("probe79.jsonl", "rules", 0.95, 0.77, 0.04, 0.8, 0.1),  # blind, session 21, with session 20's code: R 0.806
    ("probe79.jsonl", "both", 0.97, 0.90, 0.03, 0.92, 0.1),  # first measured R 0.938, P 0.993 (hard negatives 1.2 %)
    ("probe80.jsonl", "rules", 0.92, 0.85, 0.11, 0.92, 0.25),  # blind, session 21, at its end: R 0.888
    ("probe80.jsonl", "both", 0.95, 0.94, 0.07, 0.92, 0.2),  # first measured R 0.979, P 0.972 (hard negatives 4.9 %)
    ("probe81.jsonl", "rules", 0.93, 0.57, 0.07, 0.62, 0.15),  # blind, session 22, with session 21's code: R 0.531
    ("probe81.jsonl", "both", 0.96, 0.88, 0.05, 0.88, 0.1),  # first measured R 0.832, P 0.984 (hard negatives 2.4 %)
    ("probe82.jsonl", "rules", 0.95, 0.61, 0.05, 0.6, 0.1),  # blind, session 22, at its end: R 0.645
    ("probe82.jsonl", "both", 0.97, 0.80, 0.04, 0.75, 0.1),  # first measured R 0.837, P 0.992 (hard negatives 1.2 %)
    ("probe83.jsonl", "rules", 0.94, 0.78, 0.06, 0.9, 0.1),  # blind, session 23, with session 22's code: R 0.793
    ("probe83.jsonl", "both", 0.95, 0.91, 0.06, 0.9, 0.1),  # first measured R 0.921, P 0.963 (hard negatives 6.2 %)
    ("probe84.jsonl", "rules", 0.90, 0.80, 0.12, 0.9, 0.15),  # blind, session 23, with session 22's code: R 0.817
    ("probe84.jsonl", "both", 0.94, 0.94, 0.07, 0.9, 0.1),  # first measured R 0.958, P 0.965 (hard negatives 6.2 %)
    ("probe85.jsonl", "rules", 0.95, 0.81, 0.05, 0.9, 0.1),  # blind, session 23, after its first changes: R 0.847
    ("probe85.jsonl", "both", 0.95, 0.93, 0.06, 0.9, 0.15),  # first measured R 0.965, P 0.979 (hard negatives 3.8 %)
    # blind, session 25, kept out of the lint's corpora for now (tests/fixtures/blind-pending/README.md)
    ("../blind-pending/probe86.jsonl", "rules", 0.93, 0.80, 0.08, 0.75, 0.1),  # first measured P 0.954, R 0.839
    ("../blind-pending/probe86.jsonl", "both", 0.95, 0.94, 0.05, 0.9, 0.1),  # first measured P 0.984, R 0.976
]


@pytest.fixture(scope="module")
def scanners():
    from himaya.core.scanner import Scanner

    return {signals: Scanner.load(RULES_DIR, signals=signals) for signals in ("rules", "model", "both")}


@pytest.mark.parametrize("name, signals, precision, recall, fp_hard, threads_warned, benign_threads",
                         FLOORS, ids=[f"{f[0]}-{f[1]}" for f in FLOORS])
def test_sets_hold_their_figures(scanners, name, signals, precision, recall, fp_hard, threads_warned,
                                 benign_threads):
    with open(EVAL / name, encoding="utf-8") as fh:
        report = evaluate(scanners[signals], read_items(fh))
    o = report["overall"]
    assert o["precision"] >= precision and o["recall"] >= recall, (o, report["errors"])
    assert report["false_positive_rate"]["benign-hard-negative"] <= fp_hard, report["errors"]
    threads = report["threads"]
    assert threads["warned_rate"] >= threads_warned and threads["benign_warned_rate"] <= benign_threads, threads


def test_readme_states_the_figures_the_sets_give(scanners):
    """README "Detection quality": each row of its table of today's figures is what
    `himaya eval` gives now, for that set and those signals."""
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Detection quality"):readme.index("## The command line")]
    rows = re.findall(r"^\| `(probe\d+)` \| (rules|model|both) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) % \| ([\d.]+) % \| "
                      r"(\d+) of (\d+) \| (\d+) of (\d+) \|$", section, re.M)
    assert len(rows) == 203, rows
    for name, signals, precision, recall, hard, plain, warned, risk, ordinary_warned, ordinary in rows:
        with open(EVAL / f"{name}.jsonl", encoding="utf-8") as fh:
            report = evaluate(scanners[signals], read_items(fh))
        o, fp, t = report["overall"], report["false_positive_rate"], report["threads"]
        got = (f"{o['precision']:.3f}", f"{o['recall']:.3f}", f"{fp.get('benign-hard-negative', 0) * 100:.1f}",
               f"{fp.get('benign', 0) * 100:.1f}", t["warned_before_last"], t["risk"], t["benign_warned"], t["benign"])
        assert got == (precision, recall, hard, plain, int(warned), int(risk), int(ordinary_warned),
                       int(ordinary)), (name, signals)
