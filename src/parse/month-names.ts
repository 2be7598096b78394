/**
 * Month names as glibc's `date` prints them (`%b`, `%B`, `%Ob`, `%OB`, lowercased, without a
 * final dot) in the locales of tools/capture/locale-dates.sh (Debian 12, glibc 2.36), made by
 * `sh tools/capture/locale-dates.sh months`: a name that two locales give to different months
 * would be left out (none is). Month index from 0.
 */
export const MONTH_NAMES: Readonly<Record<string, number>> = {
  // 1
  "1月": 0, "1월": 0, "ene": 0, "enero": 0, "gen": 0, "gennaio": 0, "ian": 0, "ianuarie": 0, "jan": 0, "janeiro": 0, "januar": 0, "januari": 0, "january": 0, "január": 0, "janv": 0, "janvier": 0, "jän": 0, "jänner": 0, "led": 0, "leden": 0, "ledna": 0, "oca": 0, "ocak": 0, "sty": 0, "styczeń": 0, "stycznia": 0, "tammi": 0, "tammikuu": 0, "січ": 0, "січень": 0, "січня": 0, "янв": 0, "январь": 0, "января": 0, "一月": 0,
  // 2
  "2月": 1, "2월": 1, "feb": 1, "febbraio": 1, "febr": 1, "febrero": 1, "februar": 1, "februari": 1, "februarie": 1, "february": 1, "február": 1, "fev": 1, "fevereiro": 1, "fév": 1, "févr": 1, "février": 1, "helmi": 1, "helmikuu": 1, "lut": 1, "lutego": 1, "luty": 1, "úno": 1, "únor": 1, "února": 1, "şub": 1, "şubat": 1, "лют": 1, "лютий": 1, "лютого": 1, "фев": 1, "февраль": 1, "февраля": 1, "二月": 1,
  // 3
  "3月": 2, "3월": 2, "bře": 2, "březen": 2, "března": 2, "maalis": 2, "maaliskuu": 2, "maart": 2, "mar": 2, "marca": 2, "march": 2, "marec": 2, "maret": 2, "mars": 2, "mart": 2, "martie": 2, "marts": 2, "marzec": 2, "marzo": 2, "março": 2, "mrt": 2, "márc": 2, "március": 2, "mär": 2, "märz": 2, "бер": 2, "березень": 2, "березня": 2, "мар": 2, "март": 2, "марта": 2, "三月": 2,
  // 4
  "4月": 3, "4월": 3, "abr": 3, "abril": 3, "apr": 3, "april": 3, "aprile": 3, "aprilie": 3, "apríl": 3, "avr": 3, "avril": 3, "dub": 3, "duben": 3, "dubna": 3, "huhti": 3, "huhtikuu": 3, "kwi": 3, "kwiecień": 3, "kwietnia": 3, "nis": 3, "nisan": 3, "ápr": 3, "április": 3, "апр": 3, "апрель": 3, "апреля": 3, "кві": 3, "квітень": 3, "квітня": 3, "四月": 3,
  // 5
  "5月": 4, "5월": 4, "kvě": 4, "květen": 4, "května": 4, "mag": 4, "maggio": 4, "mai": 4, "maio": 4, "maj": 4, "maja": 4, "may": 4, "mayo": 4, "mayıs": 4, "mei": 4, "máj": 4, "május": 4, "touko": 4, "toukokuu": 4, "май": 4, "мая": 4, "тра": 4, "травень": 4, "травня": 4, "五月": 4,
  // 6
  "6月": 5, "6월": 5, "cze": 5, "czerwca": 5, "czerwiec": 5, "giu": 5, "giugno": 5, "haz": 5, "haziran": 5, "iun": 5, "iunie": 5, "juin": 5, "jun": 5, "june": 5, "junho": 5, "juni": 5, "junio": 5, "jún": 5, "június": 5, "kesä": 5, "kesäkuu": 5, "čen": 5, "červen": 5, "června": 5, "июн": 5, "июнь": 5, "июня": 5, "чер": 5, "червень": 5, "червня": 5, "六月": 5,
  // 7
  "7月": 6, "7월": 6, "heinä": 6, "heinäkuu": 6, "iul": 6, "iulie": 6, "jui": 6, "juil": 6, "juillet": 6, "jul": 6, "julho": 6, "juli": 6, "julio": 6, "july": 6, "júl": 6, "július": 6, "lip": 6, "lipca": 6, "lipiec": 6, "lug": 6, "luglio": 6, "tem": 6, "temmuz": 6, "čec": 6, "července": 6, "červenec": 6, "июл": 6, "июль": 6, "июля": 6, "лип": 6, "липень": 6, "липня": 6, "七月": 6,
  // 8
  "8月": 7, "8월": 7, "ago": 7, "agosto": 7, "agu": 7, "agustus": 7, "aoû": 7, "août": 7, "aug": 7, "august": 7, "augusti": 7, "augustus": 7, "augusztus": 7, "ağu": 7, "ağustos": 7, "elo": 7, "elokuu": 7, "sie": 7, "sierpień": 7, "sierpnia": 7, "srp": 7, "srpen": 7, "srpna": 7, "авг": 7, "август": 7, "августа": 7, "сер": 7, "серпень": 7, "серпня": 7, "八月": 7,
  // 9
  "9月": 8, "9월": 8, "eyl": 8, "eylül": 8, "sep": 8, "sept": 8, "september": 8, "septembre": 8, "septembrie": 8, "septiembre": 8, "set": 8, "setembro": 8, "settembre": 8, "syys": 8, "syyskuu": 8, "szept": 8, "szeptember": 8, "wrz": 8, "wrzesień": 8, "września": 8, "zář": 8, "září": 8, "вер": 8, "вересень": 8, "вересня": 8, "сен": 8, "сентябрь": 8, "сентября": 8, "九月": 8,
  // 10
  "10月": 9, "10월": 9, "eki": 9, "ekim": 9, "loka": 9, "lokakuu": 9, "oct": 9, "october": 9, "octobre": 9, "octombrie": 9, "octubre": 9, "okt": 9, "oktober": 9, "október": 9, "ott": 9, "ottobre": 9, "out": 9, "outubro": 9, "paź": 9, "październik": 9, "października": 9, "říj": 9, "říjen": 9, "října": 9, "жов": 9, "жовтень": 9, "жовтня": 9, "окт": 9, "октябрь": 9, "октября": 9, "十月": 9,
  // 11
  "11月": 10, "11월": 10, "kas": 10, "kasım": 10, "lis": 10, "listopad": 10, "listopada": 10, "listopadu": 10, "marras": 10, "marraskuu": 10, "noiembrie": 10, "nov": 10, "november": 10, "novembre": 10, "novembro": 10, "noviembre": 10, "лис": 10, "листопад": 10, "листопада": 10, "ноя": 10, "ноябрь": 10, "ноября": 10, "十一月": 10,
  // 12
  "12月": 11, "12월": 11, "ara": 11, "aralık": 11, "dec": 11, "december": 11, "decembrie": 11, "des": 11, "desember": 11, "dez": 11, "dezember": 11, "dezembro": 11, "dic": 11, "dicembre": 11, "diciembre": 11, "déc": 11, "décembre": 11, "gru": 11, "grudnia": 11, "grudzień": 11, "joulu": 11, "joulukuu": 11, "pro": 11, "prosince": 11, "prosinec": 11, "гру": 11, "грудень": 11, "грудня": 11, "дек": 11, "декабрь": 11, "декабря": 11, "十二月": 11,
};
