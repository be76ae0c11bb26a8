/**
 * A small word list for judging whether text is real English: the most frequent English words plus
 * the vocabulary of land deeds and recorders' certificates. It is not a spell checker; it only has to
 * cover a good share of the words of genuine deed text (about half to 85% on readable real deed pages
 * OCR'd by tesseract) while OCR garbage from a bad scan rarely hits it. Written for Keel; lower case.
 */
const COMMON = `
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up upon
very was we were what when where which while who whom why will with would you your yours yourself
one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand first second third
fourth fifth sixth seventh eighth ninth tenth half quarter
day days year years month months time date dated january february march april may june july august
september october november december monday tuesday wednesday thursday friday saturday sunday
made make making said same such shall may must might being been hereby thereof therein thereon thereto
thereunto whereof wherein whereas hereinafter hereinbefore aforesaid within without unto onto toward
towards along across beginning end ending line lines side sides corner corners place point points
new old good great small large long little own other another every either neither whole part parts
all any both each many much several certain same such like near far north south east west northerly
southerly easterly westerly northeast northwest southeast southwest northeasterly northwesterly
southeasterly southwesterly degrees degree minutes minute seconds feet foot inches inch rods rod perches
perch chains chain links acres acre more less thence distance course courses bearing
`;

const DEED = `
know men presents deed deeds indenture witnesseth grantor grantors grantee grantees party parties
heirs executors administrators successors assigns consideration sum dollars cents lawful money paid
receipt whereof acknowledged grant grants granted bargain bargained sell sold sale convey conveyed
conveys conveyance release released remise quitclaim confirm confirmed alien enfeoff warrant
warranty warrants generally specially covenant covenants covenanted seized seised fee simple estate
estates title right rights interest interests claim claims demand demands property properties premises
land lands tract tracts lot lots parcel parcels piece real situate situated lying being township
borough city village county counties state commonwealth pennsylvania ohio virginia west township
district ward street road avenue alley lane highway pike run creek river branch stream public private
bounded bounds described description follows following metes stone stones pin pins iron pipe post
stake oak maple hickory tree corner adjoining adjoiner lands now formerly late deceased wife husband
married single widow widower spouse his her their individual individually jointly joint tenants
tenancy entireties survivorship common reserving reserved reservation reservations excepting excepted
exception exceptions except subject underlying surface oil gas natural petroleum minerals mineral
mining coal seam vein pittsburgh royalty royalties rental rentals lease leases leased lessee lessor
wells well drilling operations pipelines pipeline rights way easement easements privilege privileges
together appurtenances hereditaments improvements ways waters watercourses thereunto belonging
appertaining reversion reversions remainder remainders rents issues profits habendum have hold
same unto forever proper use behoof recorded record records recorder recorders office deed book page
pages volume vol instrument number entered certify certified certificate hereby notary public commission
expires acknowledged acknowledgment personally appeared before subscriber undersigned known satisfactorily
proven person persons whose name names subscribed within executed purposes therein contained witness
hand hands seal seals signed sealed delivered presence attest attested testimony year aforesaid
transfer tax taxes realty stamp stamps assessor parcel map plat plan survey surveyed surveyor
recorded filed filing fee fees clerk register prothonotary court common pleas orphans estate executor
executrix administrator administratrix trustee trustees trust guardian attorney agent corporation
company incorporated inc association bank national first trust mortgage mortgages lien liens judgment
encumbrances free clear hereafter heretofore hereinabove mentioned above below described premises
containing contain contains area square measure measured strict
`;

/** Lower-case words considered "dictionary" words. */
export const LEXICON: ReadonlySet<string> = new Set((COMMON + DEED).split(/\s+/).filter((w) => w.length > 0));
