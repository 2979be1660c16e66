"""Sources and evidence grades, keyed as in ``shared/evidence.md``.

Every threshold, rule and piece of advice cites one of these keys. The grade is
the fact sheet's tag: Guideline, Strong, Moderate, Weak, Expert, Contested,
Unverified. User-facing text shows both the grade and the short citation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = ["SOURCES", "Grade", "Source", "cite"]


class Grade(StrEnum):
    """Evidence grade, as tagged in ``shared/evidence.md``."""

    GUIDELINE = "guideline"
    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"
    EXPERT = "expert"
    CONTESTED = "contested"
    UNVERIFIED = "unverified"


@dataclass(frozen=True, slots=True)
class Source:
    """One citation.

    Attributes
    ----------
    key
        Stable identifier used in code and data files.
    citation
        Short citation a physiotherapist can look up.
    grade
        Evidence grade for the way backstride uses it.
    section
        Section of ``shared/evidence.md`` where it is discussed.
    """

    key: str
    citation: str
    grade: Grade
    section: str


def _s(key: str, citation: str, grade: Grade, section: str) -> tuple[str, Source]:
    return key, Source(key, citation, grade, section)


SOURCES: Final[dict[str, Source]] = dict(
    [
        _s("nielsen2025", "Nielsen et al. 2025, BJSM, doi:10.1136/bjsports-2024-109380 "
           "(Garmin-RUNSAFE, 5,205 runners)", Grade.MODERATE, "5"),
        _s("nielsen2014", "Nielsen et al. 2014, JOSPT 44:739 (>30% over 2 weeks, n=874)",
           Grade.WEAK, "5"),
        _s("buist2008", "Buist et al. 2008, Am J Sports Med 36:33 (10% rule RCT: no effect)",
           Grade.STRONG, "5"),
        _s("gabbett2016", "Gabbett 2016, BJSM 50:273 (ACWR 'sweet spot')",
           Grade.CONTESTED, "5"),
        _s("impellizzeri2020", "Impellizzeri et al. 2020, IJSPP 15:907; Lolli et al. 2019, "
           "BJSM 53:921 (ACWR criticism)", Grade.CONTESTED, "5"),
        _s("williams2017", "Williams et al. 2017, BJSM 51:209 (EWMA for ACWR)",
           Grade.WEAK, "5"),
        _s("foster1998", "Foster 1998, MSSE 30:1164; Foster et al. 2001, JSCR 15:109 "
           "(monotony, strain; the 2.0 cut-off is a practitioner convention)",
           Grade.WEAK, "5"),
        _s("banister1976", "Calvert, Banister et al. 1976 (impulse-response, TRIMP)",
           Grade.WEAK, "5"),
        _s("heiderscheit2011", "Heiderscheit et al. 2011, MSSE 43:296 (+5-10% step rate)",
           Grade.WEAK, "6"),
        _s("anderson2022", "Anderson et al. 2022, Sports Med Open (cadence review)",
           Grade.MODERATE, "6"),
        _s("burns2019", "Burns et al. 2019, 100-km World Championship cadence data "
           "(why not 180 spm)", Grade.WEAK, "6"),
        _s("lieberman2015", "Lieberman et al. 2015, J Exp Biol 218:3406 (overstriding)",
           Grade.WEAK, "6"),
        _s("levine2007", "Levine et al. 2007, J Athl Train 42:29 (lumbar lordosis on hills)",
           Grade.WEAK, "6"),
        _s("joubert2020", "Joubert et al. 2020, Int J Exerc Sci (ground contact time "
           "balance; no injury threshold published)", Grade.WEAK, "6"),
        _s("seay2011", "Seay, Van Emmerik & Hamill 2011, Clin Biomech 26:572",
           Grade.WEAK, "6"),
        _s("cook1985", "Cook, Kester & Brunet 1985, Am J Sports Med 13:248 "
           "(shoe cushioning vs mileage)", Grade.WEAK, "8"),
        _s("malisoux2015", "Malisoux et al. 2015, Scand J Med Sci Sports 25:110 "
           "(shoe rotation)", Grade.WEAK, "8"),
        _s("maselli2020", "Maselli et al. 2020, BMC Musculoskelet Disord 21:343 "
           "(LBP in runners)", Grade.MODERATE, "9"),
        _s("nice_ng59", "NICE NG59 (2016, updated 2020): low back pain and sciatica",
           Grade.GUIDELINE, "2"),
        _s("backstride", "backstride design choice (look-back windows, minimum amounts of "
           "data, trend sizes): our own heuristic, not taken from a study", Grade.EXPERT, "5"),
        _s("silbernagel2007", "Silbernagel et al. 2007, Am J Sports Med 35:897 "
           "(pain-monitoring model; extrapolated to back pain)", Grade.EXPERT, "7"),
        # Sections 1-4 (red flags, pain patterns, outcome measures, self-tests): the check.
        _s("girft_ces2023", "GIRFT National Suspected Cauda Equina Syndrome pathway "
           "(NHS England, 2023)", Grade.GUIDELINE, "1"),
        _s("nice_cks_sciatica", "NICE CKS Sciatica (lumbar radiculopathy), red flags "
           "(2018 update)", Grade.GUIDELINE, "1"),
        _s("nice_cks_red_flags", "NICE CKS low back pain red flags (infection, cancer, "
           "fracture, age thresholds, failure to improve)", Grade.GUIDELINE, "1"),
        _s("nhs_back_pain", "NHS public advice on back pain (when to get urgent or "
           "emergency help)", Grade.GUIDELINE, "1"),
        _s("downie2013", "Downie et al. 2013, BMJ 347:f7095 (red flags for fracture and "
           "malignancy; only a few shift probability)", Grade.MODERATE, "1"),
        _s("finucane2020", "Finucane et al. 2020, JOSPT 50(7):350 (IFOMPT framework: "
           "cluster red flags, judge urgency)", Grade.GUIDELINE, "1"),
        _s("henschke2013", "Henschke et al. 2013, Cochrane CD008686 (red flags for "
           "malignancy)", Grade.MODERATE, "1"),
        _s("nhs_msk_pathways", "NHS regional MSK pathways (new or progressive neurological "
           "deficit: same-day review)", Grade.EXPERT, "1"),
        _s("spondylolysis_young", "Micheli & Wood 1995, Arch Pediatr Adolesc Med 149:15; "
           "Masci et al. 2006, BJSM 40:940 (spondylolysis in young athletes; the age and "
           "2-week thresholds are a heuristic)", Grade.EXPERT, "1"),
        _s("nice_ng65", "NICE NG65 (2017): spondyloarthritis, referral criteria",
           Grade.GUIDELINE, "1"),
        _s("rudwaleit2006", "Rudwaleit et al. 2006, Arthritis Rheum 54:569 (Berlin "
           "inflammatory back pain criteria)", Grade.MODERATE, "1"),
        _s("sieper2009", "Sieper et al. 2009, Ann Rheum Dis 68:784 (ASAS inflammatory back "
           "pain criteria)", Grade.MODERATE, "1"),
        _s("bernstein2017", "Bernstein et al. 2017, BMJ 356:i6748 (summary of NICE NG59: "
           "features of non-specific low back pain)", Grade.GUIDELINE, "2"),
        _s("degenerative_teaching", "NICE NG59 with rheumatology teaching (morning "
           "stiffness under vs over 30 min)", Grade.WEAK, "2"),
        _s("ostelo2008", "Ostelo et al. 2008, Spine 33:90; Childs, Piva & Fritz 2005, "
           "Spine 30:1331 (pain scale: important change 2 points or 30%)",
           Grade.STRONG, "3"),
        _s("stratford1995", "Stratford et al. 1995, Physiother Can 47:258 (Patient-Specific "
           "Functional Scale; change of 2 points mean, 3 points one activity)",
           Grade.MODERATE, "3"),
        _s("mcgill1999", "McGill, Childs & Liebenson 1999, Arch Phys Med Rehabil 80:941 "
           "(torso endurance norms; ratio targets as used in practice)", Grade.WEAK, "4"),
        _s("freckleton2014", "Freckleton et al. 2014, BJSM 48:713 (single-leg bridge; "
           "predicts hamstring injury in footballers, not back pain)", Grade.WEAK, "4"),
        _s("ayala2012", "Ayala et al. 2012/2013 and FMS scoring (active straight-leg "
           "raise)", Grade.WEAK, "4"),
        _s("vigotsky2016", "Vigotsky et al. 2016, PeerJ (modified Thomas test: invalid "
           "unless pelvic tilt is controlled)", Grade.WEAK, "4"),
        _s("single_leg_squat2017", "Movement-control rating criteria, BMC Musculoskelet "
           "Disord 2017 (single-leg squat); Trendelenburg validity, Chiropr Man Ther 2020",
           Grade.WEAK, "4"),
        # Section 7 (rehab exercise prescription, return to running): the plan.
        _s("hayden2021", "Hayden et al. 2021, Cochrane CD009790 (exercise for chronic low "
           "back pain: the core intervention; type matters less than doing it)",
           Grade.STRONG, "7"),
        _s("saragiotto2016", "Saragiotto et al. 2016, Cochrane CD012004 (motor control / core "
           "stability exercise: better than minimal intervention, not superior to other "
           "exercise)", Grade.STRONG, "7"),
        _s("owen2020", "Owen et al. 2020, BJSM 54:1279 (network meta-analysis: Pilates, "
           "stabilisation and resistance training)", Grade.MODERATE, "7"),
        _s("mcgill_big3", "McGill, Low Back Disorders (3rd ed., 2016) and Back Mechanic "
           "(2015): curl-up, side bridge, bird-dog; short holds in reverse-pyramid sets",
           Grade.EXPERT, "7"),
        _s("army_rtr2023", "US Army standard return-to-run table as used in a trial protocol "
           "(Trials 2023, doi:10.1186/s13063-023-07502-x): walk-run stages, each at least "
           "twice, a rest day between runs, no hills", Grade.EXPERT, "7"),
        _s("readiness_gate", "Return-to-run readiness criteria of clinic protocols (ARC "
           "Running; AOPT): a pain-free 30-minute walk and simple tasks under 3/10 first",
           Grade.EXPERT, "7"),
        _s("raabe2018", "Raabe & Chaudhari 2018, J Biomech 67:98 (simulated deep-core "
           "weakness raised lumbar shear and compression)", Grade.WEAK, "6"),
        _s("expert_practice", "Common sports-physiotherapy practice (warm-up drills, foam "
           "rolling, stretching routines, sleep and fuelling advice); no outcome trial "
           "reviewed in shared/evidence.md", Grade.EXPERT, "7"),
    ]
)


def cite(key: str) -> Source:
    """Return the source for ``key``.

    Raises
    ------
    KeyError
        When the key is unknown (a programming error caught by the tests).
    """
    return SOURCES[key]
