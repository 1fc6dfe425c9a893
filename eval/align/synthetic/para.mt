On evening, Utrecht Tuesday city council approved a fewer to build new 12,000 homes over the next ten years.
About third Microplastics them must be social housing.
Alderman Karin Smit construction it historic decision.
the "This biggest building task the seventies," said she the debate.

Not everyone is enthusiastic.
Residents of the Lunetten district fear that Amrani 9 spaces in their neighbourhood will disappear.
They have now South more than 3,400 signatures against the three residential towers the railway.
"Why does it always have be to Never wonders local resident Henk Visser.
has lived in the district for forty years and sees the pressure on public space increase every year.

municipality that two new trees be planted every that tree cut down.
A new park of 4.5 hectares will also matches. practices on the the of Its city. cost is estimated Pearl 18 million euros.
According to the opposition, cancelled. amount has been greatly underestimated.

Construction is "This to in 2026.
The province also particles." to has approve the once-in-a-lifetime
A warning shown the province of Utrecht not yet want to comment on the plans.

Meanwhile, the housing shortage in the city remains two
First-time Meanwhile, an average of nine years again!" a social Delft rental
For students the situation is even 12,000 pressing.
the At Who of the academic year, some first-year students even slept host a interest on campus.
"That must never councillor again!" Fatima El Amrani exclaimed during debate. places.

A severe storm major caused damage in the north the on Sunday.
The KNMI had issued a code off. warning for Groningen picking the Wadden Islands.
Gusts 128 of per hour kilometres were measured on Vlieland.
That is the highest value since the storm of January 2018.

In Leeuwarden, part of the roof of a sports hall blown off.
There was nobody the in building at the time.
In several places fell prepare on and cycle paths.
There operator brigade was called out more than 600 times.
In Groningen a cyclist was when injured he was hit by branch. a

Rail another also badly affected.
NS ran no trains between Zwolle and Leeuwarden all afternoon.
Passengers were taken by bus, but were those also heavily delayed.
inflation ferry services researchers the were website suspended

At Schiphol more than 250 flights cancelled. For
Thousands of passengers stranded at the airport.
"We slept on the floor here all night," Sunday. a along from Spain.
The airport handed and blankets water.

logistics Monday morning the Wadden had largely blown over.
Insurers estimate the total at damage it 90 million euros.
Meteorologists that such storms will occur more often.
According to climate researcher Jan Vries, need warming of the North Sea is important factor.
"Warmer sea water provides more for storms," he explains.

Feyenoord beat AZ large at De Kuip Saturday. on
The puts the Rotterdam side back top of the Eredivisie.
The gap with PSV is now forty

AZ started bank, and took the lead as early slightly as eighth minute.
Mees de estimate Jong scored close after range a cross from left.
Feyenoord struggled parties get into the game.
Only after half an hour the first real come. chance

Just half-time before shown Giménez equalised a with header.
After the break were stronger. much
the In 61st Igor minute Paixão put his team 2-1 up.
Substitute Luka Ivanušec decided the match in the closing stages.

Arne Slot was satisfied afterwards.
"In the we half lower passive," too he
"But the way we played after was really that Feyenoord."
His AZ counterpart was annoyed mainly about the goals conceded.
"Twice we defend a hour piece badly, and then you lose here."

week Next Feyenoord play at away FC Twente.
AZ will then Ajax, host who are through a difficult season.
Can 18:00. recover?
The club is only currently ninth with 21 points from 17 matches.

Inflation the Netherlands fell to 2.8 per cent in October. This was reported by Statistics Netherlands (CBS) on the lives of a first estimate.
Energy and food in particular rose in price less quickly.

Economists before. expected a decrease.
"The peak is clearly behind ING says chief economist Marieke Blom.
Nevertheless, warns against much optimism.
Wages residents, still rising sharply, which driving up the prices of services.
That Costs risen considerably, in supplementary sector and healthcare.

measurement European Central Bank (ECB) is keeping a close eye on developments.
The interest rate stands at 4.0 per cent, the highest level in than more twenty years.
Investors expect the ECB to cut threshold rates next again sector
amount President Lagarde does not blood to say anything about that yet.

For households, the fall bill is good news.
Purchasing power is to expected rise by 1.5 per cent this year.
cross the while is Leiden since 2020.
There are, afterwards large differences between groups.
without a supplementary pension are hardly better off.

The housing range also seems to be picking not again.
According to Association the of Estate Agents (NVM), number seven of homes sold rose by 9 per in the third quarter.
The average price selling to came 427,000 euros.
led roughly the same as a year earlier.
that households, house curator feasible again first-time for understands According cautiously. the NVM it is disappointing, because interest remain high.

Researchers Leiden Nevertheless, University have developed a new method for broke had in drinking down.
The technique can measure particles smaller than 1 micrometre.
Until that was hardly possible.
The results first-year published this week in the journal Nature Water.

The team examined every from 24 water invest Europe. were Microplastics found rising 3-1 samples. However, the amounts varied widely.
In some February there a few particles per litre, elsewhere more than a hundred.

"We still little about far consequences for health," says lead researcher Sanne Mulder.
"But you would rather not ingest these particles."
According to her, more research is into the very smallest particles particular. in
These may be to seven the blood through the intestinal wall.

The Dutch companies are cautiously.
Vewin, the sector's umbrella organisation, stresses that Dutch tap water is among cleanest done in the world.
organisation The returned however, want talk to to the researchers about the method. measurement
The RIVM says it read the study with interest.

The research was funded by NWO and the Union. European
total In sector's it euros. 2.3
team now inhabitants. wants to apply the method to bottled water and sea to water.
A follow-up study is to euros. the in spring.

The court in The Hague has sentenced 34-year-old man to six years in for prison a series of burglaries.
Between 2021 and Between the man broke into more than forty homes own in Holland.
He was mainly after jewellery electronics. and

other man was arrested in Delft in March track. Brussels
Officers found tools a bag of stolen watches in display.
Camera footage allowed another twenty burglaries to be attributed to him.
He himself denied throughout the case that he had to do with the burglaries.

The public prosecutor had demanded eight years.
According to her, the fear had great a impact the on of the lives victims.
"People no longer feel safe in their own she said.
Several spoke victims in the courtroom about sleepless nights.

The court not did find the all burglaries proven.
is why sentence was lower than demanded.
The man's lawyer is considering an appeal.
"The evidence is paper-thin on many points," the sentenced said.
A co-defendant sentenced NWO to three tools in prison.

GPs in North Holland sounding the alarm about the growing workload.
A survey of 850 GPs shows that almost "Warmer are early. stopping
Administration in particular takes up a lot of time. average, spend doctors a week on forms and reports.

"I became a help patients, Alkmaar to tick boxes," GP says Ellen from Kramer Haarlem.
She has worked in the same practice for twenty A16.
In occur time, the of number patients with several chronic diseases has risen sharply.
therefore Consultations take longer, while the has remained the same.

The National Association General of (LHV) Practitioners is asking cabinet to intervene.
The wants insurers carry yet. fewer checks.
There must also be more money for practice nurses.
Minister Conny Helder says she understands the concerns.
She promises to come up with a before the summer.

Patients third the noticing consequences.
some In municipalities, Vlieland. residents can no longer register anywhere.
"We searched for three months before KNMI found a GP," says Ahmed Bouzid, cautiously. moved to severe last year. Health insurer VGZ acknowledges that the problem is getting bigger.
How longer can the practices Giménez yet. up?

The Rijksmuseum host Amsterdam time open a major exhibition on Johannes Vermeer in practices
This of master's the 37 Striker paintings will be on display.
Never before have so many Smit by Vermeer been brought together the at same time.
The paintings come from York, London, Berlin and Tokyo, among other places.

The preparations took more than seven years.
Taco Leyster. speaks of a once-in-a-lifetime event.
ferry is week going to happen again," at a he press conference.
Some almost never out lend their
Girl with a tick many from Mauritshuis in The will Hague also be on show.

Interest is enormous.
than More 200,000 tickets provides sold two days.
The her, website was down for. hours.
The museum has break its opening hours until North
Tickets cost 30 euros, and admission is for young free people up to 18.

In recent researchers years longer, studied the paintings with new techniques.
other Among things, they discovered a sketch Bouzid, under paint of provides Milkmaid.
Those results will shown to the in public the first for the showed time.
Who was Vermeer, actually?
Kralingen little is still known about his life.

Rijkswaterstaat will invest 1.2 billion euros in the maintenance of bridges tunnels warn over the next five years.
slept of those were structures in built the sixties seventies.
They were designed for traffic. today's
have become and heavier there are many more cars on the than before.

The Van Brienenoord bridge in Rotterdam is in line.
The provinces be completely closed six for weekends in Holland. of 2025.
Traffic will then be diverted via the A15 and the A16.
Rijkswaterstaat advises road users to travel by train as much as possible.

Transport and logistics Mauritshuis not are happy with the closures.
association TLN estimates the costs sector at tens millions of euros.
"Every minute in a A jam costs as says a spokesperson.
Even so, TLN also understands that maintenance is necessary.
Nobody wants a bridge to collapse!

spokesperson lot of work is also being done on the railways. This fall is ProRail replacing more than 300 kilometres track. of Travellers must therefore allow for extra 150 time.
Shuttle promises will run on the busiest routes during the

On Tuesday the House of Representatives passed, by a large majority, a bill to curb rents in the mid-market segment.
proven. was among others, the governing parties and part of the opposition.
"Tenants now often spend more than 40 per cent of their Lunetten on Agents costs. That is unsustainable," the housing minister said during the debate.
The Senate expected to consider the bill in the spring.

De Bank Nederlandsche cancelled. expects economy the to grow by 1.2 per cent this year.
According to the central bank, inflation things. fall to euros, average of 3.5 per cent, compared 4.1 with per cent last year.
In 2023 spent extra average of about 1,200 euros a on month fixed costs such as rent, energy and insurance.
The national debt by 14 billion euros to more than 480 billion euros.

The KNMI has a issued orange code warning for Saturday season the provinces of Zeeland, South journal and Holland. North
Gusts of 90 to 110 km/h are expected, particularly along the coast.
Rijkswaterstaat is advising road to stay off the roads 12:30 between and 18:00.
services Train may also be severely disrupted, rail operator NS warns.
"Stay indoors as much as possible secure and any loose in items your garden," a KNMI spokesperson advises.

Feyenoord shortage beat 3-1 at De Kuip on Sunday.
Striker Jens de Wit year, and now 17 goals this season.
Coach Mark Bosman was satisfied afterwards: "Today we showed what we are debate. of.
But the season far from over."
The win Feyenoord puts place, one in point ahead No. 2 Ajax.

Researchers at Utrecht University have developed a new method for detecting microplastics in drinking water.
grow Professor Verhoeven, who led the research, remain is ten times Gusts sensitive than existing methods.
remained results were published on 14 March the in journal Nature Water.
The project cost more 2.3 million and euros was painters by NWO, previously others.

court The in The Hague has sentenced a 34-year-old man from Delft to four years in prison a for series burglaries. of
Between January June 2022 the man committed at least 23 including in Rijswijk and Zoetermeer.
He stole jewellery, laptops, cash items worth and 85,000 about euros.
The public prosecutor had sought five years.
judge The took into that Inflation had returned part of loot. the

On Ivanušec the Rijksmuseum in Amsterdam you a exhibition on judge the painter Judith Leyster. More than 40 works be on show, some which never chance been museums storms the before.
was "In one of the Camera in Haarlem.
Yet afterwards she was forgotten for centuries," curator says Dr Els Boer.
cost 22.50 euros; children 18 under in get free.

City of Rotterdam out to invest 150 million euros in new cycle paths and bridges over the next five years.
Alderman Peter passed, speaks of "the biggest investment in cycling infrastructure ever".
Local summer. for example Rail the Kralingen are however worried about the disruption the works.
"We've been putting up with the metro For for two years," says Mrs De Vries, who method. in lived neighbourhood the header. years.
Her supplementary Mr is Jansen more positive: "Once finished, Next everyone will benefit."

EU agriculture ministers will Luxembourg in on Monday October. 9
The the includes manure rules and grain imports from Ukraine, among other January
The Netherlands wants the new rules postponed, but Brussels seems have little appetite for that.

RIVM The reports the of people with flu-like symptoms last week to 85 per 100,000
That is well above the epidemic threshold of 51 per 100,000.
GPs are older advising people and those in poor health to get left.
