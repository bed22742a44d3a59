// Data behind the demo/benchmark registry generator: a product catalogue, countries weighted like an
// international customer base (with their languages and company forms), account managers, name parts.
import type { ProductCategory } from '../../domain/registry.types';

export const DEMO_PRODUCTS: { code: string; name: string; category: ProductCategory }[] = [
  { code: 'claude-api', name: 'Claude API', category: 'hosted-api' },
  { code: 'claude-enterprise', name: 'Claude Enterprise', category: 'hosted-api' },
  { code: 'claude-code', name: 'Claude Code', category: 'software' },
  { code: 'claude-weights', name: 'Claude model weights (licensed)', category: 'model-weights' },
  { code: 'model-cards', name: 'Model cards and evaluation data', category: 'technical-data' },
];

/** [product code, weight for developers, weight for enterprises] */
export const PRODUCT_WEIGHTS: [string, number, number][] = [
  ['claude-api', 55, 35],
  ['claude-code', 35, 20],
  ['claude-enterprise', 0, 30],
  ['claude-weights', 2, 8],
  ['model-cards', 8, 7],
];

export interface CountryProfile {
  code: string;
  weight: number;
  /** Contact locales, the first one most common. */
  locales: string[];
  /** Company forms, e.g. GmbH. */
  forms: string[];
  /** Name-part set (see NAME_PARTS). */
  names: keyof typeof NAME_PARTS;
}

const c = (
  code: string,
  weight: number,
  locales: string[],
  forms: string[],
  names: keyof typeof NAME_PARTS,
): CountryProfile => ({
  code,
  weight,
  locales,
  forms,
  names,
});

export const COUNTRIES: CountryProfile[] = [
  c('US', 220, ['en'], ['Inc.', 'LLC', 'Corp.'], 'en'),
  c('IN', 60, ['en', 'hi'], ['Pvt Ltd', 'Technologies'], 'in'),
  c('GB', 60, ['en-GB', 'en'], ['Ltd', 'plc'], 'en'),
  c('DE', 60, ['de', 'en'], ['GmbH', 'AG', 'GmbH & Co. KG'], 'de'),
  c('FR', 45, ['fr', 'en'], ['SAS', 'SA', 'SARL'], 'fr'),
  c('JP', 45, ['ja', 'en'], ['株式会社', 'K.K.'], 'ja'),
  c('BR', 40, ['pt-BR', 'en'], ['Ltda.', 'S.A.'], 'pt'),
  c('CA', 40, ['en', 'fr'], ['Inc.', 'Ltd'], 'en'),
  c('KR', 30, ['ko', 'en'], ['Co., Ltd.', 'Inc.'], 'ko'),
  c('AU', 28, ['en'], ['Pty Ltd'], 'en'),
  c('ES', 25, ['es', 'en'], ['S.L.', 'S.A.'], 'es'),
  c('IT', 25, ['it', 'en'], ['S.r.l.', 'S.p.A.'], 'it'),
  c('NL', 20, ['nl', 'en'], ['B.V.', 'N.V.'], 'nl'),
  c('SG', 20, ['en', 'zh'], ['Pte. Ltd.'], 'en'),
  c('MX', 20, ['es'], ['S.A. de C.V.'], 'es'),
  c('ID', 15, ['id', 'en'], ['PT'], 'en'),
  c('PL', 15, ['pl', 'en'], ['sp. z o.o.', 'S.A.'], 'pl'),
  c('IL', 15, ['he', 'en'], ['Ltd'], 'en'),
  c('SE', 15, ['sv', 'en'], ['AB'], 'nordic'),
  c('CH', 15, ['de-CH', 'fr-CH', 'en'], ['AG', 'SA', 'GmbH'], 'de'),
  c('TW', 10, ['zh-TW', 'en'], ['Co., Ltd.'], 'zh'),
  c('TR', 10, ['tr', 'en'], ['A.Ş.', 'Ltd. Şti.'], 'en'),
  c('AE', 10, ['ar', 'en'], ['FZ-LLC', 'LLC'], 'en'),
  c('ZA', 10, ['en'], ['(Pty) Ltd'], 'en'),
  c('NG', 10, ['en'], ['Ltd'], 'en'),
  c('IE', 10, ['en'], ['Ltd', 'DAC'], 'en'),
  c('BE', 10, ['fr', 'nl', 'en'], ['SA', 'BV'], 'fr'),
  c('AT', 10, ['de'], ['GmbH', 'AG'], 'de'),
  c('AR', 10, ['es'], ['S.A.', 'S.R.L.'], 'es'),
  c('VN', 10, ['vi', 'en'], ['JSC', 'Co., Ltd'], 'en'),
  c('CN', 8, ['zh', 'en'], ['有限公司', 'Co., Ltd.'], 'zh'),
  c('HK', 8, ['zh-HK', 'en'], ['Limited'], 'en'),
  c('DK', 8, ['da', 'en'], ['A/S', 'ApS'], 'nordic'),
  c('NO', 8, ['nb', 'en'], ['AS', 'ASA'], 'nordic'),
  c('FI', 7, ['fi', 'en'], ['Oy', 'Oyj'], 'nordic'),
  c('PT', 8, ['pt', 'en'], ['Lda.', 'S.A.'], 'pt'),
  c('CO', 8, ['es'], ['S.A.S.'], 'es'),
  c('CL', 7, ['es'], ['SpA', 'S.A.'], 'es'),
  c('MY', 8, ['ms', 'en'], ['Sdn. Bhd.'], 'en'),
  c('TH', 8, ['th', 'en'], ['Co., Ltd.'], 'en'),
  c('PH', 8, ['en', 'fil'], ['Inc.', 'Corp.'], 'en'),
  c('CZ', 6, ['cs', 'en'], ['s.r.o.', 'a.s.'], 'en'),
  c('RO', 6, ['ro', 'en'], ['S.R.L.', 'S.A.'], 'en'),
  c('UA', 6, ['uk', 'en'], ['LLC', 'TOV'], 'en'),
  c('KE', 5, ['en', 'sw'], ['Ltd'], 'en'),
  c('EG', 5, ['ar', 'en'], ['S.A.E.', 'LLC'], 'en'),
  c('SA', 5, ['ar', 'en'], ['LLC'], 'en'),
  c('NZ', 5, ['en'], ['Ltd', 'Limited'], 'en'),
  c('EE', 4, ['et', 'en'], ['OÜ', 'AS'], 'nordic'),
  c('GR', 4, ['el', 'en'], ['A.E.', 'I.K.E.'], 'en'),
];

export const NAME_PARTS = {
  en: {
    first: [
      'Blue',
      'North',
      'Bright',
      'Silver',
      'Quantum',
      'Open',
      'Red',
      'Clear',
      'Summit',
      'Harbor',
      'Iron',
      'Cedar',
    ],
    second: [
      ' Labs',
      ' Systems',
      ' Analytics',
      ' Works',
      ' Data',
      ' Robotics',
      ' Health',
      ' Logic',
      ' Cloud',
      ' Signal',
    ],
    people: [
      'James Miller',
      'Priya Shah',
      'Emily Carter',
      'Daniel Okafor',
      'Sarah Nguyen',
      'Michael Brown',
      'Aisha Khan',
      "Liam O'Connor",
    ],
  },
  in: {
    first: ['Infi', 'Tata', 'Veda', 'Surya', 'Nava', 'Kavya', 'Agni', 'Prana'],
    second: ['Soft', 'Tech', 'Data', 'Labs', 'Analytics', 'Systems'],
    people: ['Arjun Mehta', 'Priya Raghavan', 'Rahul Gupta', 'Ananya Iyer', 'Vikram Singh', 'Sneha Kulkarni'],
  },
  de: {
    first: ['Nord', 'Sonnen', 'Berg', 'Rhein', 'Wald', 'Stahl', 'Alpen', 'Elb'],
    second: ['werk', 'daten', 'systeme', 'technik', 'logik', 'wissen'],
    people: ['Jürgen Müller', 'Anna Schmidt', 'Lukas Weiß', 'Sophie Groß', 'Maximilian Bauer', 'Lea Schäfer'],
  },
  fr: {
    first: ['Lumière', 'Étoile', 'Océan', 'Mistral', 'Azur', 'Horizon', 'Sève', 'Granit'],
    second: [' Données', ' Systèmes', ' Analytique', ' Logiciels', ' Robotique', ' Conseil'],
    people: ['Camille Dubois', 'Théo Lefèvre', 'Chloé Martin', 'Hugo Moreau', 'Léa Girard', 'François Bézier'],
  },
  ja: {
    first: ['富士', '桜', '日本', '東京', '青空', '未来'],
    second: ['データ', 'システム', 'テクノロジー', 'ラボ', 'ソフト'],
    people: ['佐藤 健', '鈴木 花子', '高橋 翔', '田中 美咲', '伊藤 蓮'],
  },
  pt: {
    first: ['Sol', 'Mar', 'Serra', 'Rio', 'Aurora', 'Atlântico', 'Ipê'],
    second: [' Dados', ' Sistemas', ' Tecnologia', ' Soluções', ' Análise'],
    people: ['João Silva', 'Ana Souza', 'Lucas Pereira', 'Mariana Costa', 'Gabriel Araújo'],
  },
  es: {
    first: ['Sol', 'Luna', 'Andes', 'Cóndor', 'Brisa', 'Sierra', 'Faro'],
    second: [' Datos', ' Sistemas', ' Tecnología', ' Soluciones', ' Analítica'],
    people: ['María García', 'José Hernández', 'Lucía Martínez', 'Alejandro Núñez', 'Sofía Peña'],
  },
  it: {
    first: ['Sole', 'Vento', 'Laguna', 'Aurora', 'Monte', 'Fiume'],
    second: [' Dati', ' Sistemi', ' Tecnologie', ' Soluzioni'],
    people: ['Giulia Rossi', 'Marco Bianchi', 'Francesca Romano', 'Luca Ricci'],
  },
  nl: {
    first: ['Polder', 'Tulp', 'Delta', 'Molen', 'Noord'],
    second: ['data', 'systemen', 'techniek', 'lab'],
    people: ['Daan de Vries', 'Emma Jansen', 'Sem van Dijk', 'Julia Bakker'],
  },
  ko: {
    first: ['한빛', '서울', '푸른', '미래', '누리'],
    second: ['데이터', '시스템', '테크', '랩스'],
    people: ['김민준', '이서연', '박지훈', '최유진'],
  },
  zh: {
    first: ['华', '星', '龙', '云', '天'],
    second: ['数据', '科技', '智能', '软件'],
    people: ['王伟', '李娜', '张敏', '陈杰'],
  },
  pl: {
    first: ['Wisła', 'Orzeł', 'Bursztyn', 'Tatra'],
    second: [' Dane', ' Systemy', ' Technologie'],
    people: ['Łukasz Kowalski', 'Zofia Nowak', 'Paweł Wiśniewski', 'Agnieszka Wójcik'],
  },
  nordic: {
    first: ['Fjord', 'Nord', 'Aurora', 'Skog', 'Storm', 'Ö'],
    second: ['data', 'system', 'teknik', 'labs'],
    people: ['Erik Johansson', 'Ingrid Larsen', 'Mikko Virtanen', 'Astrid Nielsen', 'Søren Dahl'],
  },
} satisfies Record<string, { first: string[]; second: string[]; people: string[] }>;

export const ACCOUNT_MANAGERS = [
  { email: 'olivia.bennett@vendor.example', name: 'Olivia Bennett' },
  { email: 'lukas.hoffmann@vendor.example', name: 'Lukas Hoffmann' },
  { email: 'camille.laurent@vendor.example', name: 'Camille Laurent' },
  { email: 'haruto.sato@vendor.example', name: 'Haruto Sato' },
  { email: 'ana.ferreira@vendor.example', name: 'Ana Ferreira' },
  { email: 'raj.patel@vendor.example', name: 'Raj Patel' },
  { email: 'maria.gonzalez@vendor.example', name: 'María González' },
  { email: 'noah.kim@vendor.example', name: 'Noah Kim' },
  { email: 'emma.wilson@vendor.example', name: 'Emma Wilson' },
  { email: 'david.cohen@vendor.example', name: 'David Cohen' },
];

export const CONTACT_ROLES = ['technical', 'legal', 'billing', 'compliance', 'security', 'procurement'];
export const CONTACT_LOCALS = [
  'ops',
  'dev',
  'legal',
  'it',
  'admin',
  'compliance',
  'security',
  'cto',
  'billing',
  'team',
];
