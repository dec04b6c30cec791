"""Word lists for bench/search.py: real words of each script of the demo, most frequent first.

Each list is ordered roughly by how often the word occurs in diplomatic correspondence (function
words first, then the common vocabulary of letters of congratulation, then rarer words): the
benchmark draws words with Zipf-like weights by this rank, so the last quarter of each list is
the rare tail. Scripts written without spaces (Chinese, Japanese) are joined without spaces.
"""

from __future__ import annotations

# script -> [(language, country, words)]
LISTS: dict[str, list[tuple[str, str, str]]] = {
    "english": [
        ("en", "CA", """
the of and to in a is that for on with as by this we our be are at from it will your have
has an all which their its not between president minister government people nations
congratulations election relations cooperation security trade country countries world peace
support united states partnership future alliance friendship economic democracy forward
together look working continue strong new common shared values important challenges climate
health pandemic recovery prosperity region international sincere warm wishes behalf letter
embassy ambassador foreign affairs defence energy investment agreement treaty summit meeting
call telephone visit invitation capital parliament congress administration transition
inauguration victory ceremony statement communique delegation counterpart bilateral
multilateral sanctions negotiations vaccine supply chains infrastructure technology innovation
education students exchange culture heritage ocean arctic fisheries migration refugees
humanitarian assistance development reconstruction earthquake floods wildfire condolences
memorial anniversary independence sovereignty territorial integrity nuclear nonproliferation
disarmament verification cybersecurity espionage semiconductor tariffs quota pipeline
satellite telescope archipelago icebreaker permafrost
"""),
    ],
    "latin": [
        ("fr", "FR", """
de la le et les des à en du pour que nous vous est une un dans avec sur notre votre par au
ce qui être président élection félicitations très chaleureuses amitié coopération sécurité
république française gouvernement peuples relations européenne développement économique
démocratie liberté égalité fraternité défense énergie climat santé pandémie accord traité
sommet réunion entretien téléphonique visite invitation ambassadeur ambassade ministère
étrangères affaires également prochainement sincères vœux succès réussite mandat confiance
partenariat avenir ensemble commune valeurs défis mondiaux région internationale humanitaire
aide reconstruction séisme inondations condoléances commémoration anniversaire indépendance
souveraineté intégrité nucléaire désarmement vérification cybersécurité numérique industrie
commerce échanges étudiants éducation culture patrimoine océan arctique pêche migrations
réfugiés francophonie élysée préfecture cathédrale
"""),
        ("de", "DE", """
der die und das in zu den mit von für ist des auf dem nicht Ihnen Ihre unsere zwischen
herzliche Glückwünsche Wahl Präsidenten Bundesregierung Bundeskanzlerin Deutschland
Vereinigten Staaten Zusammenarbeit Beziehungen Sicherheit Frieden Freundschaft Partnerschaft
Zukunft Wirtschaft Handel Investitionen Energie Klimaschutz Gesundheit Pandemie Erholung
Wohlstand Region internationale Grüße Erfolg Brief Botschaft Botschafter Auswärtiges Amt
Verteidigung Abkommen Vertrag Gipfel Treffen Telefonat Besuch Einladung Berlin Bundestag
Kongress Regierung Amtseinführung Erklärung Delegation bilaterale Sanktionen Verhandlungen
Impfstoff Lieferketten Infrastruktur Technologie Innovation Bildung Studenten Austausch
Kultur Erbe Ozean Arktis Fischerei Migration Flüchtlinge humanitäre Hilfe Entwicklung
Wiederaufbau Erdbeben Hochwasser Beileid Jahrestag Unabhängigkeit Souveränität
Nichtverbreitung Abrüstung Überprüfung Cybersicherheit Halbleiter Zölle Raumfahrt Satellit
Rhein Brücke Straße Gemeinschaft Verantwortung transatlantische Völkerverständigung
"""),
        ("es", "MX", """
de la el y en que los las del con por para su sus nuestro nuestra felicitaciones elección
presidente gobierno México relaciones cooperación seguridad paz amistad asociación futuro
económica comercio inversión energía clima salud pandemia recuperación prosperidad región
internacional saludos éxito carta embajada embajador exteriores defensa acuerdo tratado
cumbre reunión llamada telefónica visita invitación migración frontera desarrollo
reconstrucción terremoto huracán condolencias aniversario independencia soberanía
democracia vacunas tecnología educación cultura océano pesca refugiados ayuda humanitaria
señor compañía niños corazón años pirámide cañón ñandú
"""),
    ],
    "arabic": [
        ("ar", "SA", """
في من على إلى أن مع عن هذا التي الذي الرئيس رئيس الوزراء الحكومة المملكة العربية السعودية
الإمارات الولايات المتحدة الأمريكية التهاني تهنئة بمناسبة فوزكم الانتخابات العلاقات التعاون
الأمن السلام الشعبين الصديقين البلدين الشراكة الاستراتيجية المستقبل الاقتصادية التجارة
الاستثمار الطاقة المناخ الصحة الجائحة التعافي الازدهار المنطقة الدولية خالص أطيب التمنيات
النجاح والتوفيق رسالة السفارة السفير الخارجية الدفاع اتفاقية معاهدة قمة اجتماع اتصال هاتفي
زيارة دعوة العاصمة البرلمان الكونغرس الإدارة الانتقالية التنصيب حفل بيان وفد نظيره الثنائية
العقوبات المفاوضات اللقاح سلاسل الإمداد البنية التحتية التكنولوجيا الابتكار التعليم الطلاب
الثقافة التراث الهجرة اللاجئين الإنسانية المساعدات التنمية الإعمار الزلزال الفيضانات التعازي
الذكرى الاستقلال السيادة النووي نزع السلاح السيبراني الأقمار الصناعية الفضاء المياه الصحراء
النفط الغاز الأسواق الخليج البحر الأحمر النخيل
"""),
    ],
    "hebrew": [
        ("he", "IL", """
של את על עם כי לא זה אשר גם כל אנו הנשיא ראש הממשלה ממשלת ישראל ארצות הברית ברכות חמות לרגל
בחירתך הבחירות היחסים שיתוף הפעולה הביטחון השלום הידידות בין שתי המדינות העמים שותפות
אסטרטגית העתיד הכלכלה הסחר ההשקעות האנרגיה האקלים הבריאות המגפה השגשוג האזור הבינלאומית
בברכה איחולים הצלחה מכתב השגרירות השגריר החוץ משרד ההגנה הסכם אמנה פסגה פגישה שיחה טלפונית
ביקור הזמנה ירושלים הכנסת הקונגרס הממשל המעבר ההשבעה טקס הודעה משלחת עמיתו הסנקציות המשא
ומתן החיסון שרשראות האספקה התשתיות הטכנולוגיה החדשנות החינוך הסטודנטים התרבות המורשת ההגירה
הפליטים הומניטרי סיוע פיתוח שיקום רעידת אדמה שיטפונות תנחומים זיכרון העצמאות הריבונות גרעין
פירוק נשק סייבר לוויין חלל מים מדבר גז טבעי הים התיכון נגב גליל חיפה אילת
"""),
    ],
    "japanese": [
        ("ja", "JP", """
の に を は が と で も から まで です ます いたします 申し上げます 心から お祝い 大統領
総理大臣 総理 日本 政府 国民 米国 合衆国 選挙 当選 祝意 両国 関係 協力 安全保障 同盟 日米
平和 繁栄 地域 国際 社会 経済 貿易 投資 エネルギー 気候変動 保健 感染症 回復 自由
民主主義 価値観 共有 未来 友好 信頼 緊密 連携 首脳 会談 電話 訪問 招待 東京 大使館 大使
外務省 防衛 協定 条約 首脳会議 会合 声明 代表団 制裁 交渉 ワクチン 供給網 インフラ 技術
革新 教育 留学生 交流 文化 遺産 海洋 北極 漁業 移民 難民 人道 支援 開発 復興 地震 台風
津波 弔意 記念 独立 主権 領土 核 軍縮 検証 サイバー 半導体 関税 宇宙 衛星 沖縄 北海道
富士山 桜 京都 大阪 広島 長崎 天皇陛下 皇室
"""),
    ],
    "chinese": [
        ("zh", "CN", """
的 了 和 在 是 我 您 对 向 与 为 将 祝贺 衷心 热烈 当选 总统 主席 国务院 总理 中国
中华人民共和国 美国 两国 人民 关系 合作 发展 和平 稳定 繁荣 地区 国际 社会 经济 贸易 投资
能源 气候变化 卫生 疫情 复苏 相互 尊重 共赢 友谊 伙伴 未来 双边 多边 对话 磋商 会晤 通话
访问 邀请 北京 大使馆 大使 外交部 国防 协议 条约 峰会 会议 声明 代表团 制裁 谈判 疫苗
供应链 基础设施 科技 创新 教育 留学生 交流 文化 遗产 海洋 北极 渔业 移民 难民 人道主义 援助
重建 地震 洪水 慰问 纪念 独立 主权 领土完整 核 裁军 核查 网络安全 半导体 关税 航天 卫星
上海 广州 长江 黄河 丝绸之路 熊猫 长城
"""),
    ],
    "cyrillic": [
        ("ru", "RU", """
и в на с по не что к о из за для от наших наши между Президент президента Российской
Федерации Соединённых Штатов Америки поздравляю поздравления избранием выборах победой
отношения отношений сотрудничество сотрудничества безопасности мира стабильности стран
народов партнёрство будущего экономического торговли инвестиций энергетики климата
здравоохранения пандемии восстановления процветания региона международной искренние
наилучшие пожелания успехов письмо посольство посол министерство иностранных дел обороны
соглашение договор саммит встреча телефонный разговор визит приглашение Москва Кремль Дума
администрации инаугурации церемонии заявление делегация коллега двусторонние санкции
переговоры вакцина поставок инфраструктуры технологий инноваций образования студентов обмен
культуры наследия океана Арктики рыболовства миграции беженцев гуманитарной помощи развития
восстановление землетрясения наводнения соболезнования годовщины независимости
суверенитета целостности ядерного разоружения проверки кибербезопасности спутник космос
Байкал Сибирь ёлка
"""),
        ("uk", "UA", """
і в на з що до не за від про як ми ваш наших Президент України Сполучених Штатів вітаю
щирі вітання обранням виборах перемогою відносини співпраці безпеки миру стабільності
країн народів партнерство майбутнього економічного торгівлі інвестицій енергетики клімату
здоров'я пандемії відновлення процвітання регіону міжнародної найкращі побажання успіхів
лист посольство посол міністерство закордонних справ оборони угода договір саміт зустріч
телефонна розмова візит запрошення Київ Верховна Рада адміністрації інавгурації заява
делегація санкції переговори вакцина інфраструктури технологій освіти студентів культури
спадщини гуманітарної допомоги розвитку суверенітету територіальної цілісності Дніпро
Карпати соняшник вишиванка
"""),
    ],
    "devanagari": [
        ("hi", "IN", """
और के की का में है हैं को से पर यह हम आप आपके हमारे भारत सरकार प्रधानमंत्री राष्ट्रपति संयुक्त
राज्य अमेरिका बधाई हार्दिक शुभकामनाएं चुनाव जीत संबंध सहयोग सुरक्षा शांति मित्रता दोनों देशों
लोगों साझेदारी रणनीतिक भविष्य आर्थिक व्यापार निवेश ऊर्जा जलवायु स्वास्थ्य महामारी
पुनर्प्राप्ति समृद्धि क्षेत्र अंतरराष्ट्रीय पत्र दूतावास राजदूत विदेश मंत्रालय रक्षा समझौता
संधि शिखर सम्मेलन बैठक टेलीफोन वार्ता यात्रा निमंत्रण दिल्ली नई संसद प्रशासन शपथ समारोह
वक्तव्य प्रतिनिधिमंडल द्विपक्षीय प्रतिबंध टीका आपूर्ति श्रृंखला बुनियादी ढांचा प्रौद्योगिकी
नवाचार शिक्षा छात्र आदान प्रदान संस्कृति विरासत महासागर मत्स्य प्रवासन शरणार्थी मानवीय सहायता
विकास पुनर्निर्माण भूकंप बाढ़ संवेदना वर्षगांठ स्वतंत्रता संप्रभुता अखंडता परमाणु
निरस्त्रीकरण साइबर उपग्रह अंतरिक्ष गंगा हिमालय मुंबई योग दिवाली लोकतंत्र विश्वास
"""),
    ],
}

# How each script joins words and ends a sentence.
JOINER = {"japanese": "", "chinese": ""}
STOP = {
    "japanese": "。",
    "chinese": "。",
    "arabic": ".",
    "hebrew": ".",
    "devanagari": " ।",
}
