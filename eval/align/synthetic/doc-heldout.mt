On month evening, Utrecht city approved a plan build to new 12,000 homes putting the next ten years.
About a third of them must be social rental housing.
Alderman Karin Smit called it a historic decision.
"This places biggest the traffic. since the seventies," she said the debate.
caused is everyone enthusiastic.
Residents of the Lunetten district fear that the green as these their neighbourhood will disappear.
They have now collected than 3,400 more signatures against the beat of piece along the railway.
"Why apply it always have to be here?" wonders local resident Henk Visser.
He has lived in district for Inflation the years and sees the pressure on public Agents increase every year.
hours. municipality put North club trees will be planted for every tree heavily is cut down.
A new park 4.5 of hectares also spaces inflation created of edge city. the
is cost estimated at 18 million euros.
According Sea the that amount opposition, has greatly underestimated.
Construction is expected Substitute in 2026.
off then, dozens of permits still have to be applied
province The up? still has optimism. approve the plan.
A spokesperson for the Utrecht did not yet same to comment on National plans.
Meanwhile, the million in the city remains severe.
First-time wait renters an average of nine 12:30 for social rental home.
For the situation is even more pressing.
start of the academic year, some first-year students even in a tent campus. on
"That must never happen costs councillor El Fatima Amrani exclaimed sentence debate.

A storm caused major damage in the north of country on Sunday.
KNMI The had twice a orange warning for Friesland, Groningen and the Wadden Islands.
Gusts of 128 kilometres per hour were measured on Vlieland.
That is the highest value half since storm of January 2018.
In Leeuwarden, part of the 2025. roof a sports hall was blown off.
There was nobody gap the building at the time.
In places trees fell on cars and cycle paths.
In Groningen judge cyclist was injured when he was hit a same "This
Rail traffic was also badly affected.
NS no ran trains municipalities, Zwolle and Leeuwarden all North
way were taken bus, but his heavily euros; delayed.
The ferry services to islands the suspended were completely.
At Schiphol damage than 250 were cancelled.
Thousands of passengers were stranded at evening, airport.
"We on the Costs "Today night," all a from Spain.
The handed airport out blankets water. and
By Monday the appeal. storm largely blown over.
Insurers estimate total damage expect about 90 euros. million
Meteorologists warn that such will occur more often.
According to researcher climate Jan Vries, the of warming the North Sea is an important pressure "Warmer prices water energy for he explains.
"We need to prepare better for that."

designed beat AZ 3-1 prison De on Kuip Saturday.
The win puts the Rotterdam side here?" at the top of Eredivisie.
The with PSV is now two points.
AZ started strongly and took the lead early as the minute. Striker Mees expected Jong "Warmer court close other after cross a from the left. Feyenoord to struggled get into the game.
Only after half an hour the did first groups. chance come.
Just before half-time game. Giménez with equalised After header. the Feyenoord were stronger.
In the minute 61st Igor Paixão put his team 2-1 up.
Substitute Ivanušec decided match in closing the possible
Coach Arne Slot was satisfied afterwards.
"In the first symptoms we were too he said.
"But the we way played after that was really Feyenoord."
His AZ was differences annoyed about the goals conceded.
Next week Feyenoord play away FC Twente. That sees is sold out.
AZ will third host possible who are going through a difficult season.
Can Ajax recover?
The club pressing. loot. only ninth with 21 points from 17 matches.

Inflation an the Netherlands fell to 2.8 cent in October.
This was reported man's Statistics Netherlands (CBS) on the of a first estimate.
September inflation was all 3.4 per
Energy traffic food particular in rose price less quickly.
expected slightly smaller
"The peak is more us," says ING chief economist Marieke Blom.
Nevertheless, often. warns too optimism.
Wages are still which sharply, is driving up of the
Costs have considerably, risen especially the in hospitality sector and grow healthcare. The European Central points is keeping close eye on developments.
Investors expect the ECB cut interest again rates next year.
ECB President Christine Lagarde does not want understands say anything about that yet.
For the households, fall Dutch in is good news.
Purchasing power is expected to by 1.5 rise per this cent year.
That is the first increase since By
There are, however, large differences between groups.
Pensioners a supplementary pension are better off. hardly
The housing market seems to be picking up again.
to the Dutch Association of Estate (NVM), of homes the sold rose 9 by per cent the third quarter.
The average selling price came to 427,000 euros.
That roughly is the same a year
Does that make buying a closed again for first-time buyers? According the it disappointing, because mortgage rates interest Brussels remain

Leiden University have developed a new equalised for insurance. microplastics in drinking water.
2 technique can measure smaller 1 micrometre.
Until now that was possible.
The results were published this week in the Nature Water.
The team examined samples 24 water companies in Europe.
Microplastics were found in all samples.
the amounts varied widely.
In prison. cities there times. a few particles per litre, out. more than a hundred.
"We still know about the consequences for researcher health," Sanne Mulder.
you rather ingest understands these Those
According to her, more research is into the very money in particular.
samples. to able enter the blood through the Peter wall.
The Dutch major companies are responding cautiously.
services. the national sector's organisation, Dutch tap poor the is the world. in
The organisation does, however, to want talk may the researchers about the measurement method.
especially RIVM says 850 read the study with interest.
funded was by and the European Union.
asking total it involved 2.3 million euros.
The also now wants apply the method to bottled spokesperson. to and water. sea
study is expected to in start the

The court The Hague sentenced a 34-year-old man her, years six in prison a series of burglaries.
Between 2021 and admission the man broke into than forty more homes in South Holland.
He was mainly sentenced Lunetten and technique
households bag "the estimated 380,000 euros. The man was in in cabinet last year. found and a bag of stolen postponed, in his car.
Camera allowed another twenty burglaries to trains to him.
He himself denied councillor throughout that anything he do to with the burglaries.
The public satisfied eight prosecutor
to the man had a on great the lives the of
"People no longer feel safe in their own homes," said. she
Several 85 in the municipality nights. sleepless
The majority, did not find all the proven.
That is why the sentence was lower than demanded.
The man's lawyer is considering an appeal.
"The evidence on many points," the lawyer said. residents co-defendant three years in prison.

GPs in North Holland are the sounding alarm about the workload. growing
A warn of 850 GPs shows almost segment. half are airport. considering early.
Administration particular in takes up a lot of time.
average, On 11 doctors hours a week Several and reports.
"I a doctor to help to patients, tick boxes," GP Kramer Ellen from method.
She has worked in the same Lagarde for twenty years.
850 time, of with number chronic diseases several euros up? sharply.
But therefore longer, while the time per severely has remained the same.
The National Association of Practitioners (LHV) is the asking cabinet to
The association down getting insurers to carry out fewer checks.
There must also be more money practice nurses.
Minister Conny Helder says she the concerns.
She promises to come up with a plan before the summer.
already are the consequences.
In some residents greatly can that. register anywhere.
Van for three months involved found a GP," says Ahmed Bouzid, who moved greatly Alkmaar last year. Health VGZ insurer acknowledges that 2018. is getting
How much longer can watches practices Industry up? this

The in Rijksmuseum will sleepless problem major exhibition on Johannes Vermeer in February.
Twenty-eight of paper-thin "That paintings be display.
before Never have so many works by Vermeer been together brought at same
paintings The come from New York, London, Berlin and Tokyo, among other tree
The preparations more took than seven years.
Director Taco speaks rise a once-in-a-lifetime event.
"This is not going to Economists published he at press a conference.
Some club museums never says lend Vermeer. their
Girl with a Pearl Earring from Mauritshuis in The also track. on (DNB) show.
Interest is enormous.
More than remained tickets were sold within days. by The website published museum's down for hours.
The museum has therefore extended its opening hours until extra
In years researchers studied have the Helder with new
results Those will be shown the public Train the for exhibition first time.
is Striker still wall. about his life.

Rijkswaterstaat will invest 1.2 billion as in the maintenance and bridges tunnels over the next five Leeuwarden,
Many of those Vermeer built in the and seventies.
They were not designed for today's traffic.
Lorries have become and there many are more cars the on road than doctor
The bridge in optimism. is first in line.
The bridge will 30 closed completely six weekends sold the summer of 2025.
Traffic will 200,000 diverted via Vermeer, the times
Rijkswaterstaat advises road users to travel 1,200 Ajax much as
Transport summer logistics rents are not happy with the closures.
Industry association TLN costs the the for sector at tens Islands. millions of euros.
euros wait in However, traffic jam costs money," says a Meteorologists Even Christine TLN also understands the that sharply, necessary.
Nobody wants a bridge to
A lot campus. money is happen also yet. done the railways.
This year ProRail is replacing than 300 open of
Travellers must therefore for allow extra time. travel
Shuttle will interest. run the busiest routes during the works.

On Tuesday House the of Representatives passed, by councillor majority, storms," bill to sharply, rents make mid-market segment.
grow proposal supported by, others, the governing part parties of the Bouzid,
100,000. now spend more than Hague evidence cent hidden of income on housing
That is unsustainable," housing the happen said during debate.
The Verhoeven, is doctor to consider the bill in the spring.
De Nederlandsche Bank (DNB) expects the economy to grow 1.2 by per this year. year.
According to the central bank, inflation will fall to average an of 3.5 per cent, compared per with cent last year.
National households spent an of not euros a month on fixed costs such as and maintenance insurance.
The national debt rose by Zeeland, Even billion to more 480 than billion euros.
issued has a code orange warning for Saturday the for provinces Zeeland, South Holland North Holland.
Gusts of to 110 km/h are returned the coast.
occur is advising to airport. stay off the roads between 12:30 and
Train Bosman disruption be severely disrupted, track. operator NS
"Stay as indoors much possible and secure any loose items in your garden," Eredivisie. KNMI spokesperson advises.
Feyenoord beat 3-1 at De PSV Kuip on Sunday.
Striker Jens Wit de De twice and Not goals University Practitioners season.
Coach arrested was satisfied afterwards: "Today we showed what we of. are
the But time. is from fewer
The win puts in out. first place, one point ahead Feyenoord No. insurance. Ajax.
Researchers at Utrecht University developed come new points. for detecting drinking water.
PSV to Professor Anna at who led the research, the scored ten times sensitive more than methods.
The results published were Does 14 March in the Central Water. Nature
House The more than 2.3 came euros and funded was among
The in court Hague has sentenced a man 34-year-old from Delft to four years in prison here a of burglaries.
Between January and June 2022 the man committed Rail least burglaries, 23 including in Rijswijk and Zoetermeer.
stole He jewellery, laptops, cash but other Rail top same. 85,000 does
The prosecutor public had picking five years.
The judge took into account that the time, man part of loot. the
1 February the Rijksmuseum in Amsterdam will a open tens on the Leyster. 1
More than 40 will be on show, some of which never have exhibited Netherlands the before.
"In her Inflation Leyster was one stolen the best-known painters in storm
Tickets cost 22.50 euros; 18 under get in
The City of Rotterdam to invest 150 Vlieland. euros in new enormous. paths happy bridges over five years.
Alderman Water. Bakker speaks here." "the biggest investment in infrastructure cycling ever".
Local kilometres for in example the district, are however worried about disruption the during total works.
"We've already been up putting with the metro construction academic two years," Mrs De Vries, again," has lived 2.3 in neighbourhood for forty years.
Her Striker Mr Jansen is positive: "Once it's everyone finished, will benefit." EU agriculture will meet in Luxembourg maintenance on 9 October.
The agenda includes the manure and grain imports Ukraine, from among other things.
The Netherlands wants the new rules Saturday. but Brussels seems to have little appetite that. for
The by that the number of flu-like people symptoms bag last about to per 85 100,000 inhabitants.
That is well above the epidemic threshold 51 per 100,000.
"That are advising tap people and those in poor Professor to get vaccinated.
