/**
 * Common given names (English-speaking countries first, then frequent European, Latin American and
 * Asian romanisations), lower-case. A run of two capitalised proper nouns is taken for a person when it
 * starts with one of these, which keeps "Full Story", "Legal Notice" and "San Francisco" out. Names
 * outside the list are still found through titles, middle initials and the From/To/Cc/X-From names.
 */
const NAMES = `
aaron abby abigail adam adrian adriana agnes ahmed aidan aisha al alan albert alberto alex alexa alexander alexandra
alexis alfred ali alice alicia alison allan allen allison alvin amanda amber amelia amir amit amy ana andre andrea
andreas andres andrew andy angela angelo angie anita ann anna anne annette annie anthony antoine antonio april arjun
arnold arthur ashley audrey austin barbara barry beatrice becky ben benjamin bernard bernie beth betsy betty beverly
bill billy blake bob bobby bonnie brad bradley brandon brenda brent brett brian bridget britney brooke bruce bryan
bryce byron caleb calvin cameron camille candace cara carl carla carlos carmen carol caroline carolyn carrie casey
cassandra catherine cathy cecilia chad charlene charles charlie charlotte chelsea cheryl chester chris christian
christina christine christopher chuck cindy claire clara clarence claude claudia clay clayton cliff clifford clint
clinton cody colin colleen connie connor constance corey courtney craig crystal curtis cynthia daisy dale dan dana
daniel daniela danielle danny darla darlene darrell darren daryl dave david dawn dean deanna debbie deborah debra dee
denis denise dennis derek desmond diana diane dianne dick dimitri dolores dominic don donald donna doris dorothy
doug douglas duane dustin dwayne dwight earl ed eddie edgar edith edmund eduardo edward edwin eileen elaine eleanor
elena eli elijah elisabeth elizabeth ella ellen elliot emily emma eric erica erik erin ernest ernesto esther ethan
eugene eva evan evelyn faith felicia felix fernando fiona florence frances francesca francis francisco frank
franklin fred freddie frederick gabriel gabriela gail gary gavin gene geoff geoffrey george georgia gerald gerard
gerry gilbert gina ginger glen glenda glenn gloria gordon grace graham grant greg gregory gretchen guillermo gus
guy hal hank hannah harold harriet harry harvey hazel heather hector heidi helen helena henry herbert herman hilary
holly howard hugh hugo ian ignacio irene iris irma isaac isabel isabella ivan jack jackie jackson jacob jacqueline
jaime jake james jamie jan jane janet janice jared jason javier jay jean jeanette jeanne jeff jeffery jeffrey jen
jenna jennifer jenny jeremy jerome jerry jesse jessica jesus jill jim jimmy jo joan joann joanna joanne joannie jody
joe joel johann john johnny jon jonathan jordan jorge jose joseph josephine josh joshua joy joyce juan juanita judith
judy julia julian julie june justin kaitlyn karen karl kate katherine kathleen kathryn kathy katie kay keith kelly
ken kendra kenneth kenny kerry kevin kim kimberly kirk kristen kristin kristina kurt kyle lance larry laura lauren
laurie lawrence leah lee leigh lena leo leon leonard leroy leslie lester lewis liam lila lillian linda lindsay
lindsey lisa lloyd lois lorena lorenzo loretta lori lorraine louis louise lucas lucia lucy luis luke lydia lynda
lynn mabel mackenzie madeline maggie malcolm mandy manuel marc marcia marcus margaret margie maria marian marie
marilyn mario marion marjorie mark marlene marsha marshall martha martin marvin mary mason matt matthew matthias
maureen maurice max maxine megan meghan melanie melinda melissa melvin meredith mia michael michele michelle miguel
mike mildred milton mindy miranda miriam mitch mitchell molly monica monique morgan muriel murray myrtle nadia nancy
naomi natalie natasha nathan nathaniel neal neil nelson nicholas nick nicole nigel nina noah noel nora norma norman
olga oliver olivia omar oscar owen pablo paige pam pamela pat patricia patrick patsy patty paul paula pauline pearl
pedro peggy penny percy perry pete peter phil philip phillip phyllis pierre priscilla rachel rafael ralph ramon
randall randy raul ray raymond rebecca regina reginald rene renee rhonda ricardo richard rick ricky rita rob robert
roberta roberto robin rod rodney roger roland ron ronald ronnie rosa rosalind rose rosemary ross roy ruby rudy russ
russell ruth ryan sabrina sally sam samantha samuel sandra sandy sara sarah scott sean sergio seth shane shannon
sharon shawn sheila shelley shelly sherri sherry shirley sidney simon sofia sonia sophia sophie stacey stacy stan
stanley stefan stefanie stella stephanie stephen steve steven stuart sue susan suzanne sylvia tamara tammy tanya tara
ted teresa terri terry thelma theodore theresa thomas tiffany tim timothy tina toby todd tom tommy toni tony tracey
traci tracy travis trent trevor trey tricia troy tyler ursula valerie vanessa vera vernon veronica vicki vicky victor
victoria vince vincent viola violet virginia vivian wade walter wanda warren wayne wendy wesley whitney will willard
william willie wilma winston xavier yolanda yvonne zachary zoe
hans klaus jurgen jürgen wolfgang dieter helmut uwe sven lars anders nils per jens ole henrik bjorn björn jan piet
joost dirk marco luca giovanni giuseppe paolo francesco alessandro matteo stefano andrea roberto sergio enrico
jean-pierre jean-luc jacques michel philippe alain francois françois olivier nicolas laurent thierry christophe
eric frederic frédéric sylvie nathalie isabelle valerie valérie sandrine carlos alejandro diego fernando rodrigo
raul raúl santiago mateo gustavo rafael ricardo eduardo jorge juan luis miguel pedro ana lucia maría maria carmen
rosa elena beatriz paula raj rajesh ravi sanjay sunil anil vijay suresh ramesh deepak amit arun ashok priya anjali
neha pooja sunita kumar wei li ming jun hui yan chen hiroshi takeshi kenji yuki akira satoshi kazuo naoko yoko
min-jun ji-hoon seo-yeon dmitri sergei sergey vladimir alexei andrei igor olga natalia svetlana irina tatiana yuri
ahmed mohammed muhammad mohamed hassan hussein fatima omar khalid tariq
`;

export const FIRST_NAMES: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter(Boolean));

/**
 * Whether a lower-case word is a known given name, with or without its diacritics: the list is written
 * in ASCII, so "josé", "françois" and "jürgen" are found as "jose", "francois", "jurgen".
 */
export function isGivenName(lowerWord: string): boolean {
  if (FIRST_NAMES.has(lowerWord)) return true;
  if (/^[\x00-\x7f]*$/.test(lowerWord)) return false;
  return FIRST_NAMES.has(lowerWord.normalize('NFD').replace(/\p{M}/gu, ''));
}
