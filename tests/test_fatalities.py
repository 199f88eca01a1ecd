"""Reported fatalities as ACLED counts them (self-written sentences of the usual shapes)."""

from __future__ import annotations

import pytest

from extract.fatalities import find_fatalities, number_value

CASES = [('Russian forces shelled the village, killing two civilians.',2),
('Suspected militants ambushed a convoy; 3 soldiers were killed.',3),
('Gunmen killed a member of the vigilante group.',1),
('three soldiers and one civilian were killed in the attack',4),
('The attack killed 5 people, including 3 children.',5),
('Dozens were killed in the clashes.',12),
('At least 12 people were killed and 30 injured.',12),
('killing three soldiers and two civilians',5),
('Troops clashed with rebels, killing four fighters, a war monitor said.',4),
('killing two soldiers, a civilian and a child',4),
('leaving 5 injured',None),
('No casualties were reported.',0),
('The death toll rose to 27.',27),
('Between 5 and 10 people were killed',5),
('6 to 10 killed',6),
('Des hommes armés ont attaqué le village, tuant trois civils.',3),
('Deux soldats ont été tués.',2),
('faisant au moins 12 morts',12),
('une dizaine de morts',10),
('مقتل ثلاثة مدنيين في قصف',3),
('أدى لمقتل 5 أشخاص',5),
('the city reported 327 deaths',327),
('In 2019 ten people died',10),
('A soldier was killed and two others were wounded',1),
('killing him',1),
('two fighters were killed and a third died later',2),
('Around 10 Turkish-baked militants killed in clashes',10),
('17 dead in Iraq violence',17),
('25 jihadists killed in Iraq air strikes',25),
('Over 30 Myanmar Junta Forces Killed in Four Days of Clashes',30),
('Air strikes bomb IS vehicles killing dozens in Kirkuk',12),
('Parked car bomb kills 10 in Baghdad neighborhood', 10),
('Junta troops kill 9 civilians and torch 800 homes',9),
('On 3 May 2023, 2 people were killed.',2),
('135 people were killed yesterday, including 35 members of the regime forces',135),
('Two soldiers were killed and three militants died.',5),
('killing two, injuring four',2),
('One person was killed.',1),
('5 civilians were injured.',None),
('The clashes left 4 dead and 10 injured.',4),
('Militants killed 2 soldiers and wounded 3 others on 5 June 2023.',2),
('un soldat a été tué',1),
('several people were killed',3),
('killing 1,200 people',1200),
('The bodies of three men with gunshot wounds were found.',3),
('3 bodies were found in the river.',3),
('163 were killed yesterday, including 31 soldiers and 45 citizens killed in strikes',163),
('Deux corps sans vie ont été découverts.',2),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES)
def test_fatalities(sentence, expected):
    assert find_fatalities(sentence) == expected


@pytest.mark.parametrize(("phrase", "value"), [
    ("12", 12), ("1,200", 1200), ("twenty-five", 25), ("two hundred", 200), ("a dozen", 12),
    ("dozens", 12), ("at least 5", 5), ("5 to 10", 5), ("trois", 3), ("une dizaine", 10),
    ("ثلاثة", 3), ("١٢", 12), ("hundreds", 100), ("several", 3),
])
def test_number_phrases(phrase, value):
    assert number_value(phrase) == value
