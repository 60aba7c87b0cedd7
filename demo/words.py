"""Word lists the demo data set is built from: firm names, people, products, IP, notes.

Korean words come with the romanisation a Korean firm would use for its English name, so
"한빛" + "디자인" gives "한빛디자인" / "Hanbit Design".
"""

from __future__ import annotations

# Native Korean words popular in company names, with their usual romanisation.
NAME_STEMS: tuple[tuple[str, str], ...] = (
    ("한빛", "Hanbit"),
    ("푸른솔", "Pureunsol"),
    ("새솔", "Saesol"),
    ("다온", "Daon"),
    ("누리", "Nuri"),
    ("아라", "Ara"),
    ("별빛", "Byeolbit"),
    ("미르", "Mir"),
    ("하람", "Haram"),
    ("가온", "Gaon"),
    ("나래", "Narae"),
    ("라온", "Raon"),
    ("도담", "Dodam"),
    ("바른", "Bareun"),
    ("이음", "Ieum"),
    ("온새미", "Onsaemi"),
    ("해솜", "Haesom"),
    ("여울", "Yeoul"),
    ("소담", "Sodam"),
    ("단비", "Danbi"),
    ("마루", "Maru"),
    ("슬기", "Seulgi"),
    ("초록", "Chorok"),
    ("하늘", "Haneul"),
    ("바다", "Bada"),
    ("은하", "Eunha"),
    ("다솜", "Dasom"),
    ("예그리나", "Yegrina"),
    ("아름", "Areum"),
    ("별하", "Byeolha"),
    ("모아", "Moa"),
    ("두루", "Duru"),
    ("늘품", "Neulpum"),
    ("새봄", "Saebom"),
    ("윤슬", "Yunseul"),
    ("물결", "Mulgyeol"),
    ("달빛", "Dalbit"),
    ("해오름", "Haeoreum"),
    ("산들", "Sandeul"),
    ("가람", "Garam"),
    ("꿈틀", "Kkumteul"),
    ("빛나래", "Bitnarae"),
    ("한울", "Hanul"),
    ("솔빛", "Solbit"),
    ("봄내", "Bomnae"),
    ("청록", "Cheongrok"),
    ("오름", "Oreum"),
    ("너울", "Neoul"),
)

# What a firm of each creative sector calls itself after the stem.
SECTOR_SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "publishing": (("북스", "Books"), ("출판", "Publishing"), ("프레스", "Press")),
    "comics": (("웹툰", "Webtoon"), ("코믹스", "Comics"), ("툰스튜디오", "Toon Studio")),
    "music": (("뮤직", "Music"), ("엔터테인먼트", "Entertainment"), ("사운드", "Sound")),
    "games": (("게임즈", "Games"), ("인터랙티브", "Interactive"), ("플레이", "Play")),
    "film": (("픽처스", "Pictures"), ("필름", "Films"), ("프로덕션", "Productions")),
    "animation": (("애니메이션", "Animation"), ("애니웍스", "Aniworks"), ("모션스튜디오", "Motion Studio")),
    "broadcasting": (("미디어", "Media"), ("방송", "Broadcasting"), ("티브이", "TV")),
    "character": (("캐릭터", "Characters"), ("프렌즈", "Friends"), ("토이즈", "Toys")),
    "knowledge_information": (("에듀", "Edu"), ("데이터", "Data"), ("인포", "Info")),
    "content_solutions": (("테크", "Tech"), ("랩스", "Labs"), ("솔루션", "Solutions")),
    "advertising": (("커뮤니케이션즈", "Communications"), ("애드", "Ad"), ("크리에이티브", "Creative")),
    "design": (("디자인", "Design"), ("디자인랩", "Design Lab"), ("공방", "Atelier")),
    "architecture": (("건축사사무소", "Architects"), ("건축", "Architecture"), ("아키텍츠", "Architects")),
    "ict_services": (("소프트", "Soft"), ("시스템즈", "Systems"), ("클라우드", "Cloud")),
    "rnd_services": (("연구소", "Research"), ("이노베이션", "Innovation"), ("랩", "Lab")),
}

# Korean surname and given names (romanised as people write them in passports).
SURNAMES: tuple[tuple[str, str], ...] = (
    ("김", "Kim"),
    ("이", "Lee"),
    ("박", "Park"),
    ("최", "Choi"),
    ("정", "Jung"),
    ("강", "Kang"),
    ("조", "Cho"),
    ("윤", "Yoon"),
    ("장", "Jang"),
    ("임", "Lim"),
    ("한", "Han"),
    ("오", "Oh"),
    ("서", "Seo"),
    ("신", "Shin"),
    ("권", "Kwon"),
    ("황", "Hwang"),
    ("송", "Song"),
    ("홍", "Hong"),
)
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("지훈", "Jihoon"),
    ("서연", "Seoyeon"),
    ("민준", "Minjun"),
    ("지민", "Jimin"),
    ("하은", "Haeun"),
    ("도윤", "Doyun"),
    ("수빈", "Subin"),
    ("예린", "Yerin"),
    ("현우", "Hyunwoo"),
    ("유진", "Yujin"),
    ("지원", "Jiwon"),
    ("승민", "Seungmin"),
    ("다은", "Daeun"),
    ("태윤", "Taeyoon"),
    ("소연", "Soyeon"),
    ("준호", "Junho"),
    ("은지", "Eunji"),
    ("성민", "Sungmin"),
    ("혜진", "Hyejin"),
    ("우진", "Woojin"),
)

# Export products by sector: (HS code, description). Services-only sectors sell few goods.
SECTOR_PRODUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "publishing": (("490199", "Printed books"), ("490300", "Children's picture books"), ("491191", "Art prints")),
    "comics": (("490199", "Printed comic books"), ("490300", "Children's comic picture books")),
    "music": (("852349", "Music CDs"), ("852380", "Vinyl records")),
    "games": (
        ("950450", "Video game machines"),
        ("852349", "Game software on optical discs"),
        ("950490", "Board games"),
    ),
    "film": (("852349", "Feature films on Blu-ray discs"), ("370690", "Exposed cinematographic film")),
    "animation": (("852349", "Animated series on Blu-ray discs"), ("950300", "Animation character toys")),
    "broadcasting": (("852349", "Broadcast programmes on recorded media"),),
    "character": (
        ("950300", "Character plush toys"),
        ("420292", "Character bags and pouches"),
        ("482010", "Character notebooks and diaries"),
    ),
    "knowledge_information": (
        ("490199", "Printed educational materials"),
        ("852351", "E-learning content on memory cards"),
    ),
    "content_solutions": (("852351", "Software on solid-state media"),),
    "advertising": (("491110", "Trade advertising material"),),
    "design": (
        ("691110", "Porcelain tableware"),
        ("940360", "Wooden furniture"),
        ("420222", "Handbags"),
        ("711719", "Imitation jewellery"),
        ("392410", "Tableware and kitchenware of plastics"),
    ),
    "architecture": (("490600", "Architectural plans and drawings"),),
    "ict_services": (("847130", "Portable computers"), ("851762", "Network communication devices")),
    "rnd_services": (("903180", "Measuring instruments"), ("902780", "Analysis instruments")),
}

# What a firm of each sector might hold as a patent, design right or copyright.
SECTOR_WORKS: dict[str, tuple[str, ...]] = {
    "publishing": ("Picture book 'The Tiger Who Came to Seoul'", "Essay collection 'Four Seasons of Jeju'"),
    "comics": ("Webtoon series 'Moonlit Garden'", "Webtoon series 'Hanok Detective'"),
    "music": ("Album 'Blue Hour'", "Single 'Han River Lights'"),
    "games": ("Procedural level generation engine", "Mobile game 'Sky Village'"),
    "film": ("Feature film 'The Last Ferry'", "Documentary 'Salt Farmers'"),
    "animation": ("Animated series 'Little Cloud'", "Real-time facial motion retargeting for 3D characters"),
    "broadcasting": ("Reality format 'Family Kitchen'", "Drama series 'Harbour Lights'"),
    "character": ("Character plush figure 'Dodo'", "Character 'Mochi Bear'"),
    "knowledge_information": ("Adaptive Korean-language learning curriculum", "Map data set of traditional markets"),
    "content_solutions": ("Adaptive streaming of interactive webtoons", "Subtitle timing by speech recognition"),
    "advertising": ("Campaign 'Seoul at Night'", "Interactive outdoor display layout"),
    "design": ("Ceramic tea set 'Dal'", "Modular shelving unit"),
    "architecture": ("Modular timber joint for exhibition pavilions", "Folding exhibition booth"),
    "ict_services": ("Edge caching for live concert streams", "Spatial audio mixing for live performances"),
    "rnd_services": ("Colour-accurate LED wall calibration", "Motion-capture suit with inertial sensors"),
}

EXPORT_PLANS: tuple[str, ...] = (
    "현지 바이어 20곳과 상담을 목표로 하며, 현지어 카탈로그와 데모 영상을 준비합니다. / We aim to meet 20 local buyers "
    "and are preparing a catalogue and demo video in the local language.",
    "현지 유통사와 라이선스 계약을 추진하고, 상표 출원을 병행합니다. / We are negotiating a licence with a local "
    "distributor and filing our trademark there in parallel.",
    "온라인 플랫폼 입점 후 오프라인 팝업스토어로 확장할 계획입니다. / We will list on the leading online platform "
    "first and then open pop-up stores.",
    "공동제작 파트너를 찾아 현지 방송사 편성을 목표로 합니다. / We are looking for a co-production partner to reach "
    "a local broadcaster's schedule.",
    "현지화(번역·더빙)를 마치고 주요 퍼블리셔와 계약을 추진합니다. / We have finished localisation (translation and "
    "dubbing) and are negotiating with the main publishers.",
)

REVIEW_NOTES: tuple[str, ...] = (
    "서류 검토를 시작합니다. / Starting the document review.",
    "평가위원 배정 완료. / Reviewers assigned.",
)
INFO_REQUESTS: tuple[str, ...] = (
    "최근 2년간 수출실적 증명서를 보완 제출해 주세요. / Please add the export certificates for the last two years.",
    "견적서의 부가세 포함 여부를 확인해 주세요. / Please confirm whether the quotation includes VAT.",
    "해외 파트너사와의 MOU 사본을 제출해 주세요. / Please upload a copy of the MOU with your foreign partner.",
)
INFO_ANSWERS: tuple[str, ...] = (
    "요청하신 자료를 첨부하였습니다. / We have attached the documents you asked for.",
    "견적서는 부가세 별도 금액입니다. 수정본을 첨부합니다. / The quotation excludes VAT; a corrected one is attached.",
)
APPROVAL_REASONS: tuple[str, ...] = (
    "수출계획이 구체적이며 목표시장 적합성이 높음. / The export plan is concrete and fits the target market well.",
    "해외 바이어 네트워크와 현지화 준비도가 우수함. / Strong buyer network abroad and ready localisation.",
    "선착순 접수, 요건 충족. / First come, first served; all requirements met.",
)
WAITLIST_REASONS: tuple[str, ...] = (
    "평가 점수는 선정 기준을 넘었으나 예산(정원)이 소진되어 예비 순위로 지정합니다. / Scored above the bar, but the "
    "capacity is used up; placed on the waiting list.",
)
REJECT_REASONS: tuple[str, ...] = (
    "평가 점수가 선정 기준에 미달함. / The score is below the selection threshold.",
    "목표시장 진출 계획이 구체적이지 않음. / The plan for the target market is not specific enough.",
)
CLOSE_OUT_REASONS: tuple[str, ...] = (
    "모집이 마감되어 예비 순위가 종료되었습니다. / The call is closed out; the waiting list has ended.",
)
WITHDRAW_NOTES: tuple[str, ...] = (
    "내부 일정 변경으로 참가가 어렵습니다. / Our schedule changed and we cannot take part.",
    "다른 지원사업에 선정되어 신청을 취소합니다. / We were selected by another program and withdraw.",
)
CANCEL_REASONS: tuple[str, ...] = (
    "협약 기한 내 자부담금 미납으로 선정을 취소합니다. / Cancelled: the firm's co-funding share was not paid by the "
    "agreement deadline.",
)
OVERRIDE_REASONS: tuple[str, ...] = (
    "최신 재무제표(2차 제출)상 중소기업 기준을 충족함을 확인함. / The revised financial statement shows the firm "
    "is within the SME thresholds.",
)
OUTCOME_NARRATIVES: tuple[str, ...] = (
    "현지 유통사 2곳과 후속 미팅을 진행 중입니다. / Follow-up meetings with two local distributors are under way.",
    "행사 중 체결한 MOU를 바탕으로 본계약을 협의하고 있습니다. / We are negotiating the main contract from the MOU "
    "signed at the event.",
    "현지 파트너와 공동 프로모션을 시작했습니다. / We started a joint promotion with a local partner.",
)
OUTCOME_ACCEPT_NOTES: tuple[str, ...] = (
    "증빙 확인 완료. / Evidence checked.",
    "계약서 사본 확인. / Copy of the contract checked.",
)
COMPLETE_NOTES: tuple[str, ...] = ("성과보고서 승인, 사업 종료. / Outcome report accepted; support completed.",)
