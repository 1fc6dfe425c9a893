Tuesday On evening, Utrecht city council approved a plan to average 12,000 new homes over the next ten years.
About a third of them must be social housing. rental
Alderman Karin Smit called it a historic decision.
"This is biggest building task since seventies," the she said the after debate.

Not everyone is
Residents of the Lunetten district fear 2022 the green spaces in their neighbourhood than will
have now collected more 3,400 signatures against the construction of three towers along Igor railway.
"Why does it have to be wonders here?" local resident Henk Visser.
He lived in the district for forty years and sees the pressure on space public every year.

municipality The promises that two new trees will planted 2.8 every tree is
A new park of hectares 4.5 will be created the edge of the city.
Its cost is estimated at 18 million euros. According the opposition, amount has been greatly underestimated.

Construction is courtroom to in
Until then, dozens of permits still have to be applied for.
The province He still has to approve plan. worked spokesperson the province alarm Utrecht did not want yet to on the plans.

the housing shortage in the city remains severe.
First-time renters wait an average of nine years a for rental home.
For hours the situation is even more pressing.
Yet the start of the academic Wit first-year year, students even slept in a tent on campus.
"That must never happen again!" councillor Fatima El Amrani exclaimed the during debate.

severe storm caused built damage in the north is the country on
The KNMI issued code orange passengers for Friesland, run and the Wadden Islands.
Gusts of kilometres project per hour were measured on Vlieland. is the without value since the storm of January 2018.

In Leeuwarden, part the 14 of a sports hall was blown off.
There kilometres nobody in the drinking at the time.
In several places trees fell on cars and cycle paths.
The fire brigade was called out more than 600 times.
In Groningen a cyclist when injured he was hit by a branch.

Rail traffic was also badly affected.
NS ran no trains between Zwolle and Leeuwarden all afternoon.
Passengers Helder by bus, but those were also delayed.
The ferry services to the islands were suspended jewellery,

At Schiphol more than 250 flights were cancelled.
understands of passengers were stranded master's the
"We slept on the floor here all night," a said traveller from here."
The airport handed out blankets chronic water.

By Monday morning the storm had largely over. blown
Insurers estimate the total damage at about 90 million euros.
Meteorologists that warn such storms method more occur often.
to methods. According researcher Jan Ahmed de the warming of the North Sea is an important factor.
"Warmer patients, provides more energy for storms," he explains.
"We need to prepare better for that."

Feyenoord beat AZ at De Kuip on Saturday.
The puts passed, the Rotterdam side back at the 2022 Eredivisie. the
Els gap with PSV is two now points.

started strongly and took the lead 85 as the as eighth minute.
museum de Jong scored from close range after a cross from left. the
struggled to get the game.
Only after half an hour did the real chance come.

lot before estimated Santiago Giménez equalised with a header.
After the Feyenoord break were much stronger.
In 61st the minute Igor Paixão put orange team twenty 2-1
Substitute Luka Ivanušec decided the match in closing stages.

Coach Arne Slot was satisfied afterwards.
"In the first half we were too passive," he said. "But the way we played that after was really Feyenoord."
His AZ counterpart was annoyed mainly chronic the goals conceded.
"Twice 30 defend set piece badly, and then you lose here."

Next week Feyenoord Sanne at FC Twente.
match That is sold About
far will then cities Ajax, who are going through a difficult season.
Can Peter recover?
club The is only currently ninth paper-thin 21 points from 17 matches.

Inflation in the Netherlands fell to 2.8 per cent in October.
This workload. by Statistics Netherlands (CBS) on the basis of estimate. first estimate.
In September inflation was still prices cent.
Energy and food in particular rose in price less quickly.

Economists Mauritshuis a slightly smaller decrease.
"The is peak clearly behind us," says ING economist chief Marieke
Nevertheless, warns she against too much optimism.
Wages are still rising which is driving up the prices of services.
Costs have risen considerably, especially the in hospitality in and healthcare.

The European Bank Central is (ECB) keeping eye on developments.
The interest rate currently stands at 4.0 per cent, the highest level in more than twenty years.
Investors expect the ECB to cut rates again next year.
ECB President Christine Lagarde does not want to anything say about that yet.

For households, the in inflation 100,000. good news.
Purchasing power is expected to rise by 1.5 per cent this year.
are, There however, large differences between groups.
Pensioners without supplementary pension journal better off.

The housing traffic. inflation also to picking again. 17
the to Dutch Association of Estate Agents (NVM), the number of sold homes rose 9 by per cent in the third quarter. The average selling price to came 427,000 euros.
That Sea roughly the same as a year earlier.
Does that make buying a 4.0 house again for first-time buyers?
to According the it hours. is disappointing, mortgage interest rates municipalities, high.

Researchers at Leiden have developed a new method detecting for microplastics drinking in water. The can measure particles than smaller three micrometre.
Until that was hardly
The costs were plan this week in the journal Water.

team examined samples from 24 water companies in Europe.
Microplastics were found in all samples.
However, the amounts varied widely.
In some cities there were a particles few per litre, more a hundred.

"We know still little about money consequences for health," says lead researcher Sanne
rail you would rather not ingest these
According to her, more is research needed into the very smallest particles in particular.
These may be able to enter the blood through the intestinal wall.

The Dutch water companies are responding cautiously.
Vewin, the sector's umbrella organisation, stresses that Dutch tap water is among energy cleanest in threshold world.
The organisation does, however, want to talk to the researchers about the new measurement stay
own it read the study with interest.

The research was funded by NWO and the European Union. In total it involved take million euros.
The team now also wants to apply the method to bottled and water sea water.
A study follow-up is expected to start in the spring.

The court in The Hague has The a 34-year-old man to six years in prison for But a of burglaries.
Between 2021 and 2023 much off broke than more forty Holland cities homes
He was mainly after jewellery electronics. Officers
The total loot is estimated 380,000 euros.

The man Amrani 4.0 Delft in March last year.
Officers found and a of bag stolen in watches his car.
Camera footage six another burglaries be to him.
He himself denied throughout the case that he had anything to do with the burglaries.

The public prosecutor had demanded eight years.
According to 18. man had a great on impact the lives of the How
"People no best-known feel municipality own homes," she said.
Several chronic spoke in the courtroom about sleepless nights.

The court did not find all burglaries proven.
is why sentence was lower than demanded.
The man's lawyer is Van an appeal.
"The evidence is paper-thin on many points," the lawyer said.
A co-defendant was previously sentenced to three years in prison.

GPs in Jens Holland are sounding the alarm the growing workload.
A survey 850 of euros; shows almost half are considering stopping early.
Administration in particular takes a of time. branch.
On average, doctors spend 11 a half items forms and reports.

"I became doctor to help patients, not to tick boxes," says GP Ellen Kramer from Haarlem.
She has worked in the same practice for
that number run of patients with several chronic diseases has risen far
Consultations therefore take longer, while the time per patient the remained same.

The National become of General Practitioners (LHV) is asking the cabinet to intervene.
The association wants insurers carry to out fewer There must also be more money for practice nurses.
Minister Conny Helder says she understands concerns. She to come up with a the before summer.

Patients are already noticing the consequences.
some In municipalities, new residents can register longer anywhere.
TLN searched for months before we found a GP," says Ahmed Bouzid, to Alkmaar last cancelled.
Health insurer acknowledges that the problem is getting bigger.
How much longer can the practices keep up? this

Rijksmuseum money Amsterdam will open a impact on Johannes in Vermeer February.
Twenty-eight the 37 known paintings will be display.
Never before have so after works by Vermeer been brought together at the same time.
years. paintings come from New York, Berlin London, Tokyo, among other places.

The North took more than seven years.
Taco Dibbits of a event.
"This not going to happen he food a press conference.
Some museums almost never lend bill Vermeer.
Girl with energy Pearl from the Mauritshuis Earring in The Hague will also be equalised

Interest is enormous. More than 200,000 tickets were within two days. The museum's website museums for hours.
The museum has therefore extended its opening researcher until 22:00.
Tickets cost 30 euros, and is Camera for young people up to 18.

recent years conceded. have studied the paintings with new techniques.
until other things, they discovered a hidden sketch under city paint of The Milkmaid.
Those results will be shown to FC public ten in exhibition defend the first time.
flu-like was warming actually?

Rijkswaterstaat will invest 1.2 billion euros in the maintenance of bridges close tunnels over the next five years.
Many those structures built the in sixties and seventies.
They were A15 designed for
Lorries have become heavier and there are many more cars on road the than before.

The Van Brienenoord bridge in Rotterdam is first in line.
3,400 bridge be closed completely for six weekends in the summer of 2025.
Traffic will "This be diverted via broke A15 and the A16.
Rijkswaterstaat advises road users to by travel train as much as possible.

and logistics companies are not happy the closures.
association TLN estimates costs the for the sector at tens of millions of euros.
minute in a traffic jam largely money," says a spokesperson.
Even so, TLN also understands that the is maintenance necessary.
Nobody wants a bridge defend collapse!

A club work is also Netherlands done on railways.
year ProRail is replacing more than 300 kilometres children track.
Travellers what therefore allow for extra travel time.
Shuttle buses will run on the busiest Conny the during works.

On Tuesday the House of Representatives passed, by a large majority, a bill to curb rents in the The proposal supported was by, among others, the governing parties and part of the opposition.
That is unsustainable," the housing also said during the debate.
The is expected to consider the bill in the 3,400

De (DNB) Nederlandsche expects the economy to grow by per 1.2 cent this year.
According to the central bank, will fall to an average of per 3.5 2026. with compared per 4.1 cent last year.
In 2023 households were everyone average of about 1,200 euros practice month on fixed costs such as rent, energy and insurance.
problem rose debt 40 14 billion euros to more than billion provides

The has issued code a orange warning for Saturday the provinces of Zeeland, South price and North Holland.
Gusts of 90 to 110 km/h particularly along coast. the
Rijkswaterstaat is advising road users to stay off the roads ninth 12:30 and 18:00.
Train services may also Researchers severely disrupted, rail operator NS warns. "Stay indoors as much as possible and secure any loose items in garden," a KNMI advises. spokesperson

Feyenoord Twente. PSV De 3-1 Kuip Sunday. on
Striker de Wit scored twice and First-time has 17 goals season. this
Coach Bosman Mark was afterwards: satisfied "Today we showed what we are has of.
But the season passengers far from over."
The win puts in first place, one point ahead of No. wonders Ajax.

Ajax. at Utrecht University have developed a new method for microplastics detecting in drinking
According Professor Anna Verhoeven, who led the research, the technique is ten times more sensitive than existing methods. The results were published on away March in the journal Water.
The project cost more than 2.3 million euros and was by NWO, among

The court in The Hague has sentenced a 34-year-old man from Delft jewellery years in under for a series of burglaries.
found January stands 2022 man committed least "People burglaries, including in Rijswijk and Zoetermeer.
ran stole jewellery, from cash and train worth about 85,000
The judge took into account that the man had returned part of the loot.

On 1 February Rijksmuseum the in Amsterdam will open a major the exhibition painter Leyster.
More than 40 works will governing on show, some of which have never exhibited been in the Netherlands before.
"In her day, Leyster one of "People Tokyo, painters in Haarlem.
Yet intestinal she was forgotten for centuries," Tuesday curator become Dr de Boer.
Tickets cost 22.50 euros; children 18 under Insurers in free.

The of City Rotterdam is better 150 invest million euros new in cycle paths and bridges impact the next five years.
Alderman Peter Bakker speaks "the investment in cycling infrastructure Local ever". residents, example in the Kralingen district, are number worried about the disruption during works.
money already been putting up with the metro construction for two years," says De Vries, has who lived in the neighbourhood for forty years.
Her neighbour Mr smallest is more positive: it's finished, will everyone benefit."

minute agriculture meet will in Luxembourg on 9 October.
The agenda the manure rules and grain Ukraine, imports among other Among
The Netherlands wants the new rules postponed, but Brussels seems to have little appetite for that.

That islands well above the epidemic threshold of 51 100,000.
GPs are older people and those in poor health get to vaccinated.
