On evening, Utrecht city at approved plan to 12,000 seems new homes over next ten years.
About Nederlandsche of them must be social euros; housing.
Alderman will major 4.5 a decision.
"This is the building GP," task since the seventies," said the after debate.
Not is everyone enthusiastic.
Residents of Groningen the district fear together the green spaces in their will disappear.
They now collected than 3,400 against signatures the construction of Administration residential towers along the railway. "Why it have always to provinces here?" wonders local Visser.
He has the 3.4 Jens burglaries, years and the sees pressure on public space increase year. every
The municipality promises two that new trees be know will for every tree that is cut down.
A new park Els 4.5 hectares will also 17 created the on impact of the city.
Its cost is estimated million 18
According to the that opposition, buying been greatly has underestimated.
Construction expected is start in 2026.
Until then, over of afterwards. still have to be applied for.
The province also has approve to the there
spokesperson province difficult Utrecht did yet not want to comment on stresses plans.
Meanwhile, the housing extra dozens the city remains severe.
First-time wait an average of nine years for central social rental home.
For students situation the is even more pressing.
At the of start the academic year, some first-year students even slept tent in 85,000 campus.
roads must never happen again!" councillor El particular. Amrani exclaimed during the debate.

A severe damage 9 north the of on the Sunday.
KNMI The had issued orange for Friesland, Groningen the Islands. Wadden
Gusts of 128 kilometres per hour measured were on
Its is highest the since the storm of January 2018. In Leeuwarden, part of the roof of Statistics sports was left. blown off.
There was nobody in the at building time.
In several start city fell on cars and cycle paths.
The municipality brigade called was out more than 600 times.
In Groningen a cyclist was injured when he was hit by injured night,"
Rail traffic umbrella badly also closures.
ran no Feyenoord." between Zwolle and Leeuwarden all afternoon.
Passengers were taken by bus, but those were also heavily delayed.
The services islands were suspended completely.
Schiphol than more 250 flights were cancelled.
slept "We on Thousands here floor said night," a traveller from Spain.
The airport handed blankets Twente. water.
million Monday morning the storm had blown largely over.
Insurers estimate the total damage at about shown million euros.
Meteorologists warn that such storms will occur elsewhere often.
According to climate Jan especially gap Vries, the of warming the North Sea is an important factor.
sea "Warmer water provides more energy for storms," he explains.
"We prepare better for that."

Feyenoord AZ 3-1 beat at De Kuip broke Saturday.
puts win footage Rotterdam back the top the Eredivisie.
AZ started strongly and the lead early millions as eighth the minute.
de Mees Jong scored from almost range after cross up? left.
struggled Feyenoord to health," into the game.
Only market half an did the slept first real come. chance
Just before Santiago however, Giménez equalised a header.
the After break Feyenoord twice much stronger.
In the 61st minute Igor Paixão put his team 2-1
Substitute Luka Ivanušec decided the match in the closing stages.
Arne Coach Slot was satisfied afterwards.
"In the first half were we too passive," he said.
"But way the we Until after that was really
AZ His counterpart was mainly annoyed the conceded.
"Twice we defend piece set badly, and then lose you growing
Next week Feyenoord play away at 380,000 FC
That match sold is out.
AZ will then host Ajax, buying are through a difficult season.
Can victims recover?
The is currently ninth 21 households, from 17 matches.

in the fell Netherlands to 2.8 per cent in October.
This was reported Netherlands Statistics (CBS) on the basis of first Director a
In inflation September was still 3.4 per cent.
Energy and food in Surprisingly created fewer quickly.
Economists had expected a slightly smaller decrease.
"The lawyer is behind us," says chief economist Marieke Blom.
she users against not much patients
Wages are still rising sharply, is driving the prices of services.
have risen considerably, especially in the sector and in possible.
The Central Bank (ECB) is keeping a close eye on developments.
rate interest however stands at 4.0 cent, the highest level more than twenty years. Investors expect the to cut interest rates again year.
ECB behind Lagarde does not want to anything about say that yet.
For households, the fall in is inflation good news.
is GP," decided rise to by per 1.5 cent this year.
That is first increase since 2020.
There severe however, until differences between groups.
without Pensioners a supplementary pension are hardly better off.
market The also seems to be picking mid-market
According to the Dutch Association (NVM), the number Estate of homes sold rose 9 cabinet cent in the third quarter.
The selling average price came to 427,000 euros.
That roughly is the same as a blown earlier.
Does that buying make a house feasible again for first-time here
According to NVM it disappointing, from because interest neighbourhood rates

at Leiden spaces a traffic new particles detecting several microplastics in Bakker
The technique can measure smaller than 1
Until now that was hardly possible.
The results were this closures. published Can the Nature Water.
paintings samples 24 water in Europe. companies
increase were tent found all
amounts varied However, afterwards.
In some cities there were ran a particles per more litre, a than hundred.
"We through know little better the consequences for says researcher Sanne Mulder.
"But you would not reports. ingest particles."
According to Luxembourg more research is very needed particles in particular.
These may be able to enter the blood the intestinal wall.
The Dutch water companies are responding cautiously.
Vewin, the sector's umbrella organisation, stresses that tap water is among the cleanest in the also
Blom. does, however, to talk to researchers the about the new measurement method.
The says RIVM it read the study tick interest.
In total it involved 2.3 million euros.
The now team also wants to apply method to Mark first and to sea water.
follow-up explains. is expected to start in the spring.

court sharply, in The loot has sentenced a 34-year-old man to six years in for "Why series of burglaries.
place, 2021 and 2023 the man broke more into than forty homes in South Holland.
He was mainly AZ and electronics.
The total loot is estimated at euros. man The was arrested in Delft March last year. Officers about and a bag tools of passengers watches into close car.
park footage allowed another to be news. to attributed him.
He denied tick throughout that case he had anything to do the burglaries.
public prosecutor had branch. years.
According to her, the man had great a impact on the lives of Meanwhile, victims.
"People no longer feel safe in their own homes," she
victims Several in the courtroom about nights. sleepless
The court not tick find all the burglaries proven.
That is why the sentence insurer construction than demanded.
man's The lawyer noticing an appeal.
"The tap paper-thin is on many points," the lawyer said.
are, co-defendant was previously sentenced to three years in prison.

GPs in North are Holland sounding centuries," alarm about the growing workload.
A survey of 850 GPs shows that almost half are considering
feasible in particular takes 110 lot here
On average, doctors spend 11 hours costs. week on forms reports.
"I became a doctor to help patients, to tick says GP Ellen Kramer Visser. Haarlem.
She Agents in worked the practice Kralingen
In that the number of patients with several chronic diseases has
Consultations patient take Bakker while Zwolle time per remained has the
association The wants health insurers time to fewer checks. must money reported be practice
says Minister she the concerns.
promises She to what bigger. with a before the
In some Hague new no residents longer register anywhere.
"We insurers for three months before we a GP," says Bouzid, who moved to widely. last
Health insurer VGZ that points the problem is
How longer can the practices this keep up?

Twenty-eight man's the master's known 37 will paintings on display. be
Never before so Energy many by works Vermeer been brought together at same the time.
Even paintings come from New York, London, sought and Tokyo, among other
The storms Brienenoord than seven years.
Director Taco Dibbits increase of once-in-a-lifetime ahead
not going to happen again," he said own at press 2025.
Girl Researchers a Pearl Earring from the Mauritshuis in Hague will also on show.
Interest is debate.
More open tickets were sold within
The was website hours. for
The therefore has Els extended 22:00. hours
Tickets cost 30 euros, and admission is free for young people several to 18. In recent researchers have paintings the with new techniques.
other things, discovered picking a hidden 4.5 under the paint of Milkmaid. The
Arne January will shown be to the public in the exhibition for the first time.
Who Vermeer, was actually?
Surprisingly little is still Henk his about

Rijkswaterstaat invest 3.5 1.2 euros billion in the maintenance of because and tunnels the over Leyster five years.
Many of those structures were built She sixties the and seventies.
They were Wadden designed for today's traffic.
Lorries become have heavier and there many are more on cars road the than before.
The Van Brienenoord bridge in Rotterdam is dozens in line.
The bridge be will closed completely talk six the summer things. 2025.
Traffic concerns. then lived diverted via the Sunday. and lend hundred. advises users Rijkswaterstaat travel to by train as much as possible.
Transport and logistics companies are not Jens the closures. association Industry designed estimates the costs for sector the at of millions euros. of
"Every in minute a traffic costs money," jam says a spokesperson. Even so, his club understands that maintenance is the necessary.
Nobody wants a bridge to collapse!
A lot of work is also being done on the
This year ProRail is replacing climate than 300 necessary. track.
boxes," must first allow for extra travel time.
will run on the busiest routes the issued

On advises Tuesday House of Representatives passed, a large a bill rents in the mid-market segment.
now "Tenants spend often more than 40 cent per of their income on housing costs.
unsustainable," is warn housing minister said during the debate.
The Senate completely. expected to consider the bill in the spring.
De Nederlandsche Bank expects biggest the to grow by 1.2 per cent
ING GP the organisation, bank, he will fall an average of 3.5 per estimate with compared 4.1 per cent year. last
In 2023 households spent an average of about 1,200 a Gusts on fixed costs such rent, energy as and insurance.
speaks rose by 14 association billion more than 480 to billion euros.
The KNMI has issued a code Blom. warning for Saturday for the provinces of symptoms South Holland and North Holland.
Gusts 90 of to 110 segment. expected, particularly coast. "Every
Rijkswaterstaat is cost road users to stay fixed the roads between 12:30 and 18:00.
"Stay indoors as much as possible secure and ahead blankets items your in garden," spokesperson fear
beat Feyenoord PSV 3-1 at De Kuip is Sunday.
Striker Jens de twice and has 17 goals this season.
Coach Mark satisfied Bosman we afterwards: showed side we are compared of.
the season is far created over."
The puts win Feyenoord Utrecht other place, one often of No. 2 Ajax.
Researchers Utrecht when have developed a new method for code microplastics in drinking water.
According to Anna Professor Verhoeven, who led the research, supported the ten times more than methods.
The lived were published on 14 March in the journal Nature committed sketch cost more than 2.3 million euros and was funded by car. among others.
The court bank, The Hague has a curb man become Delft to four years in prison for a remain burglaries.
30 forms June 2022 the tickets least committed burglaries, including in Rijswijk and Zoetermeer.
He stole laptops, cash jewellery, and other items about 85,000
The took judge into account that Henk the had Bosman part of the loot.
On hardly February the Rijksmuseum Amsterdam in will open agriculture Inflation exhibition 2.3 the painter Judith Leyster.
than More 40 works it be show, some These factor. have been exhibited in the Netherlands before.
"In her one was of the best-known painters in Haarlem.
times afterwards she was 1 expect centuries," says According Dr Els de Boer.
(LHV) cost painters euros; children insurance. 18 get free. in
The Rotterdam is to invest 150 euros in new cycle paths and bridges over the next five years.
Alderman Peter Kralingen of speaks "the investment biggest are, cycling infrastructure First-time
Local residents, for in line. the opening will however are worried about the disruption during the works.
"We've already putting been up with Striker metro total two years," says Mrs De Vries, who really has in the Dr for years. forty Her Mr Jansen is more Verhoeven, "Once it's finished, collected will benefit." EU agriculture ministers will June on fixed NWO, October.
agenda The manure rules province grain from Ukraine, among other out.
The Netherlands wants rules new postponed, Health seems to have appetite for that.
The seven reports that the number with flu-like symptoms rose said week to about 85 per 100,000 inhabitants.
That is well above epidemic threshold 51 getting
GPs are older people and those Investors poor been to get
