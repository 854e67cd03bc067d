"""Titles and descriptions of the demo's cases, composed from pieces so that they read like real reports.

Each minor class has a ``Topic``: alternative subject words (with their synonyms), places around the
spot, problem phrasings, details (``{n}``/``{cn}``: a small number), impacts, requests (bare verb phrases:
the voice adds 请/希望/来电人要求...), and title stems. ``compose`` draws one of each and joins them in
the voice of who reports: a resident (first person, greetings), a hotline operator's summary (来电人称…,
诉求：…), a grid worker on patrol or a department's inspector (巡查发现：…, objective, short), or a
camera (the caller adds which camera). Optional pieces come and go, and the sentence patterns vary, so a
class gives hundreds of distinct texts. Generic pieces (durations, impacts, requests) and the pools that
neighbouring classes share (``SHARED``: 噪音 from building sites and from shops, 井盖 of every kind, 占道
of hawkers and of shops...) keep the classes from being separable by a single keyword: the router learns
the major classes well and confuses some minor neighbours (``tests/test_demo_texts.py``).

Data tables: a topic's fields are ``|``-separated alternatives; a leading ``|`` makes the piece optional.
Everything is drawn from the generator passed in, so the same seed gives the same texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Topic:
    title: tuple[str, ...] = ()  # title stems
    thing: tuple[str, ...] = ()  # what is wrong (subject words and synonyms)
    spot: tuple[str, ...] = ()  # where around the address ("" allowed)
    problem: tuple[str, ...] = ()  # what is wrong with it, following the thing
    detail: tuple[str, ...] = ()  # a further fact ({n}: a small number, {cn}: the same in Chinese)
    impact: tuple[str, ...] = ()  # what it does to people
    ask: tuple[str, ...] = ()  # what is asked for, without 请/希望
    when: tuple[str, ...] = ()  # durations proper to the class (besides the generic ones)


def topic(**fields: str) -> Topic:
    return Topic(**{key: tuple(value.split("|")) for key, value in fields.items()})


# Minor class code -> its pieces. Every class the demo draws (cases.demo.CATEGORY_WEIGHTS and SCRIPTED).
TOPICS: dict[str, Topic] = {
    # 01 市容环境
    "0101": topic(
        title="私搭乱建|违法建设|违章搭建|私自搭建棚子|占用公共空间搭建|楼顶加盖",
        thing="彩钢板房|简易棚子|铁皮房|砖房|阳光房|遮阳棚|小仓房",
        spot="|院里|楼顶上|楼道边|胡同里|门前|小区空地上",
        problem="被人私自搭了起来|违规搭建，越盖越大|占着公共地方|没有任何手续就盖起来了|正在连夜施工搭建",
        detail="面积大概有{n}0平方米|已经盖到{n}米多高|里面堆满了杂物|还私接了电线|把消防通道挡住了一半|"
               "旁边还有工人在干活",
        impact="消防车根本进不来|挡住了楼下住户的采光|邻居们意见很大|存在火灾隐患|公共空间被占用了",
        ask="城管来查处|责令拆除|相关部门依法处理|来现场核实一下",
        when="上周开始施工的|这个月刚盖起来",
    ),
    "0102": topic(
        title="暴露垃圾|路边垃圾堆放|垃圾没人清运|垃圾桶满溢|垃圾乱堆乱放|生活垃圾堆积|垃圾散落",
        thing="垃圾|生活垃圾|好几袋垃圾|一堆垃圾|厨余垃圾|垃圾袋|外卖餐盒和塑料袋",
        spot="|路边|墙根底下|垃圾桶旁边|绿化带里|楼道口|树坑里|胡同口",
        problem="堆在那没人管|散落一地|一直没人清运|被人随手乱扔|从桶里溢了出来|越堆越多",
        detail="大概有{n}袋|天一热味道特别大|招了好多苍蝇蚊子|野猫把袋子都扒开了|有汤水流到路面上|"
               "垃圾桶已经满得盖不上了",
        impact="路过都得捂着鼻子|严重影响环境卫生|影响大家出行|孩子上学天天从这儿走",
        ask="环卫尽快清运|赶紧把垃圾拉走|安排人清理一下|增加清运次数",
    ),
    "0103": topic(
        title="积存渣土|渣土堆放|大件垃圾堆放|装修垃圾乱倒|建筑垃圾未清运|垃圾渣土积存",
        thing="建筑渣土|装修垃圾|碎砖头和水泥块|旧沙发和床垫|大件垃圾|一大堆渣土|一堆垃圾",
        spot="|空地上|院墙边|路边|楼下|拆迁空地上|胡同里",
        problem="堆了很久没人清运|越堆越高|被人偷偷倒在这里|没有苫盖|占了半条路",
        detail="大概有{n}立方米|上面连块苫布都没有|刮风就起土|还有人往上继续倒|下雨后泥水流了一地",
        impact="占用通道，车都过不去|刮风天到处是灰|影响市容环境|存在安全隐患",
        ask="尽快清运|查一查是谁倒的|安排车辆拉走|督促责任单位清运",
    ),
    "0104": topic(
        title="道路不洁|路面脏|路面油污|道路保洁不到位|人行道不干净|马路没人扫",
        thing="路面|人行道|马路|这段路|便道|路边石",
        spot="|这一段|门口|附近",
        problem="脏得不行|好几天没人打扫|到处是油污|满地烟头和落叶|有一大片污渍|黏糊糊的",
        detail="落叶和烟头积了厚厚一层|有一片油污，看着像是车漏的油|还有狗的粪便没人清理|下过雨后全是泥|"
               "环卫工好几天没来了",
        impact="走路容易滑倒|影响市容|老人走路都得小心|刮风时垃圾到处飞",
        ask="安排保洁清扫|环卫加强保洁|尽快冲洗路面|派人打扫一下",
    ),
    "0108": topic(
        title="餐饮油烟扰民|油烟直排|饭馆油烟污染|烧烤油烟|油烟熏人|餐馆没装净化器",
        thing="油烟|烧烤的烟|炒菜油烟|排风口的油烟|油烟味",
        spot="|楼下饭馆|底商餐馆|烧烤店|小吃店|路边大排档|食堂",
        problem="直接往外排|熏得人受不了|呛得睁不开眼|顺着窗户往家里灌|没经过净化就直排",
        detail="排风口正对着居民楼窗户|根本没装油烟净化器|墙上都熏黑了|每天中午晚上最严重|晚上还在门口烤串",
        impact="家里窗户都不敢开|衣服晾在外面都是油烟味|老人孩子呼吸不舒服|影响居民正常生活",
        ask="环保部门来查一查|督促安装净化设备|相关部门管管|责令整改",
    ),
    # 02 宣传广告
    "0201": topic(
        title="非法小广告|小广告乱贴|墙面喷涂小广告|电线杆贴小广告|牛皮癣广告|小广告清理",
        thing="小广告|办证小广告|开锁通下水的广告|喷涂的电话号码|牛皮癣|贷款小卡片",
        spot="|墙面上|电线杆上|楼道里|单元门上|配电箱上|公交站牌上",
        problem="贴得到处都是|密密麻麻一大片|清了又贴|被喷得乱七八糟|越来越多",
        detail="大概有{cn}十张|都是同一个电话号码|连消火栓上都贴了|有的是用油漆喷上去的|刚清理完第二天又贴上了",
        impact="影响市容|看着特别脏乱|小区环境很差|影响城市形象",
        ask="尽快清理|追查一下发广告的人|对号码进行处理|城管来处理一下",
    ),
    "0205": topic(
        title="违规悬挂横幅|乱挂横幅|违规张贴标语|横幅标语乱挂|商家乱挂条幅|促销横幅",
        thing="横幅|条幅|宣传标语|促销横幅|广告布|红色条幅",
        spot="|树上|路灯杆上|过街天桥上|店门口|楼体外墙上|护栏上",
        problem="被商家私自挂了起来|挂了好几条|乱拉乱挂|被风吹得耷拉下来|挂了很久没撤",
        detail="一共有{n}条|上面写的是开业促销|绳子直接绑在树干上|有一条已经被风刮断了|挂得很低，车顶都能碰到",
        impact="影响市容|挡住了交通标志|刮风时存在安全隐患|看着乱糟糟的",
        ask="督促商家摘除|尽快拆掉|城管来处理|相关部门核实",
    ),
    # 03 施工管理
    "0301": topic(
        title="施工扰民|夜间施工噪音|工地噪声扰民|装修噪音|夜间违规施工|施工噪音大",
        thing="施工噪音|机器声|电钻声|打桩声|切割的声音|渣土车进出的声音|噪音",
        spot="|工地|在建工地|对面工地|楼上装修户|隔壁装修|路边施工点",
        problem="半夜还在响|吵得人没法休息|从早到晚不停|扰民特别严重|晚上十点以后还不停",
        detail="凌晨{n}点多还在干活|周末也不停工|白天晚上连轴转|也没看到夜间施工许可|大型机械就在居民楼旁边",
        impact="老人孩子都睡不好觉|第二天上班没精神|家里孩子要中考|周边居民意见很大",
        ask="责令停止夜间施工|管管这个工地|查一下有没有夜间施工许可|相关部门尽快处理",
        when="每天晚上都这样|连续一个星期了",
    ),
    "0303": topic(
        title="道路遗撒|渣土车遗撒|路面遗撒泥土|运输车撒漏|路上有遗撒物|渣土撒了一路",
        thing="泥土|渣土|沙石|泥浆|碎石子|混凝土块",
        spot="|路面上|机动车道上|路口|辅路上|进出工地的路上",
        problem="撒了一路|是渣土车遗撒下来的|撒得满地都是|没人清理|一直延伸到路口",
        detail="长约{n}0米|看着是渣土车没苫盖撒下来的|车一过尘土飞扬|下雨后全变成了泥|有车轮带出来的泥印子",
        impact="电动车骑过去容易打滑|影响行车安全|路面脏得不行|尘土飞扬",
        ask="尽快清扫路面|查处遗撒车辆|城管来处理|督促工地做好车辆冲洗",
    ),
    "0306": topic(
        title="工地扬尘|施工扬尘|扬尘污染|工地未苫盖|工地尘土大|拆迁扬尘",
        thing="扬尘|尘土|灰|粉尘|沙土",
        spot="|工地|拆迁工地|在建工地|施工现场|工地大门口",
        problem="特别大|漫天飞|飘得到处都是|没有任何降尘措施|刮风时呛得人喘不过气",
        detail="裸露的土堆没有苫盖|雾炮机一直没开|也不洒水降尘|进出车辆没有冲洗|围挡也破了好几块",
        impact="家里窗台上全是灰|出门得戴口罩|晾的衣服没法穿|影响空气质量",
        ask="督促工地洒水降尘|来检查一下|责令整改|相关部门加强监管",
    ),
    # 04 突发事件
    "0401": topic(
        title="路面塌陷|路面破损|路面坑洼|路面出现大坑|道路塌陷|路面下沉",
        thing="路面|马路|人行道|便道|路面沥青|地砖",
        spot="|机动车道|路中间|路口|辅路|井盖旁边",
        problem="塌了一个大坑|陷下去一块|破损严重，坑坑洼洼|出现裂缝，还在往下沉|开裂了",
        detail="坑的直径约{n}0厘米|深度大概有{n}0公分|下雨后坑里积满了水|已经有电动车在这里摔倒|"
               "有人在坑里放了个锥桶提示",
        impact="晚上看不清特别危险|存在很大安全隐患|车辆经过颠得厉害|行人容易崴脚",
        ask="尽快修补|先设置围挡|派人来看一看|相关部门抓紧抢修",
    ),
    "0404": topic(
        title="下水道堵塞|污水外溢|下水不通|化粪池满溢|污水冒出来|排水管堵了",
        thing="下水道|排水管|污水管道|化粪池|雨污水井|下水口",
        spot="|院里|胡同里|楼前|路边|公厕旁边",
        problem="堵了，污水往外冒|堵塞严重|满溢出来了|排不下去，污水漫到了路面上|返臭水",
        detail="污水流了{n}米多远|粪水漫到了院门口|臭味熏得人想吐|找过物业，说不归他们管|已经溢到了家门口",
        impact="居民出门只能踩着污水走|味道特别大|存在卫生隐患|影响正常生活",
        ask="尽快疏通|派人来抽一下|排水部门来处理|尽快清掏",
    ),
    "0406": topic(
        title="道路积水|雨后积水|路面积水严重|低洼处积水|积水不退|路口积水",
        thing="积水|雨水|水|一大片积水",
        spot="|路面上|路口|桥下|低洼处|胡同里|公交站前",
        problem="很深，一直排不下去|漫过了脚脖子|好几天不退|积得很深|没过了半个车轮",
        detail="水深大概有{n}0厘米|雨水箅子附近全是水|车一过水溅到人行道上|过往车辆只能绕行|旁边的雨水口好像堵了",
        impact="行人根本没法过|电动车在这里熄火了|存在安全隐患|影响出行",
        ask="尽快排水|疏通一下雨水口|派人来处理|相关部门抓紧解决",
        when="下完雨就这样|每次下雨都这样",
    ),
    # 05 街面秩序
    "0501": topic(
        title="无照游商|游商占道经营|流动摊贩|夜间摆摊|小贩占道|游商扰民",
        thing="流动商贩|游商|卖水果的三轮车|摆摊卖小吃的|推车卖烤红薯的|摊贩|摆摊的",
        spot="|路边|地铁口|人行道上|学校门口|十字路口|公交站旁边",
        problem="占道经营|天天在这儿摆摊|把路堵了一半|乱摆乱卖|赶走了又回来",
        detail="一共有{n}个摊位|油烟和垃圾特别多|傍晚下班时候最多|城管来了就跑，走了又回来|摊位一直摆到马路上",
        impact="行人只能走机动车道|影响交通|影响市容|食品卫生也没保障",
        ask="城管来管管|加强巡查|尽快清理|取缔这些摊位",
    ),
    "0502": topic(
        title="店外经营|出店经营|商铺占道|餐馆占道经营|店外摆摊|门前占道",
        thing="商铺|餐馆|水果店|超市|饭馆|汽修店|摆摊的商户",
        spot="|临街|楼下|路边|底商|菜市场旁边",
        problem="把货架摆到了店外|在门外摆满了桌椅|占用人行道经营|出店经营|把摊子摆到了马路上",
        detail="门口摆了{n}张桌子|烧烤炉直接放在人行道上|货物堆了大半条便道|晚上经营到很晚|说了好几次也不改",
        impact="行人只能走机动车道|推婴儿车都过不去|影响市容|存在安全隐患",
        ask="城管来处理|责令商户退回店内|相关部门规范一下|加强管理",
    ),
    "0503": topic(
        title="占道废品收购|废品站占道|收废品的占道|废品乱堆|废品收购点扰民",
        thing="废品收购点|收废品的|废品回收站|收破烂的三轮车|一个废品摊",
        spot="|路边|胡同口|小区门口|人行道上|桥下",
        problem="占道经营|把废纸箱堆了一路|乱堆乱放|天天占着路收废品|把路都占满了",
        detail="纸箱和塑料瓶堆得有{n}米高|旧家电拆得满地零件|三轮车停了一排|大喇叭天天喊收废品|味道很大",
        impact="存在消防隐患|行人通行困难|影响市容|影响周边居民生活",
        ask="城管来清理|取缔这个点|相关部门处理|督促其规范经营",
    ),
    "0504": topic(
        title="机动车乱停放|车辆违停|占用消防通道|车辆占用人行道|车辆堵路|僵尸车",
        thing="机动车|私家车|小轿车|面包车|货车|僵尸车",
        spot="|消防通道上|人行道上|胡同口|盲道上|小区门口|路口",
        problem="长期停着不动|乱停乱放|把路堵死了|违规停放|横着停在那",
        detail="一共停了{n}辆|有一辆落满了灰，好像很久没开过|车上的挪车电话打了也没人接|早高峰车根本出不去|"
               "车主每天晚上都停这儿",
        impact="消防车进不来|行人和轮椅都过不去|居民出行非常困难|存在安全隐患",
        ask="交警来贴条|联系车主挪车|相关部门处理|加装隔离桩",
    ),
    "0505": topic(
        title="共享单车乱停放|非机动车乱停|电动车乱停放|单车堆积|飞线充电|自行车占道",
        thing="共享单车|电动自行车|电动车|自行车|共享电单车|旧自行车",
        spot="|地铁口|楼道里|盲道上|楼下|公交站旁边|人行道上",
        problem="乱停乱放|堆成了一堆|停得满地都是|把出入口堵住了|东倒西歪",
        detail="大概有{cn}十辆|还有人从楼上拉线给电动车充电|有几辆已经锈得不能骑了|盲道被压得严严实实|运营公司一直没来调度",
        impact="行人只能绕着走|存在火灾隐患|影响通行|影响市容",
        ask="通知运营企业清理|规范停放|尽快清理|相关部门管管",
    ),
    # 06 其他事件
    "0601": topic(
        title="群租房|疑似群租|隔断群租|群租扰民|出租房住人太多|地下室住人",
        thing="一套房子|出租屋|两居室|地下室|隔断间|一套三居",
        spot="|楼上|对门|楼里|小区里|院里",
        problem="住了十几个人|被隔成了好几间出租|疑似群租|打了好多隔断出租|住满了人",
        detail="进进出出的人很杂|门口堆了{cn}十双鞋|私拉电线，楼道里全是插线板|半夜还有人拖着行李箱进出|卫生间整天排队",
        impact="存在消防隐患|邻居们都很担心安全|楼道里又脏又乱|晚上吵得人睡不着",
        ask="相关部门上门核查|查处群租|派出所来看看|房管部门处理",
    ),
    "0602": topic(
        title="噪音扰民|夜间噪声扰民|广场舞噪音|商户音响扰民|噪声扰民|酒吧噪音",
        thing="噪音|音响声|喇叭叫卖声|音乐声|吵闹声|大喇叭声",
        spot="|楼下饭馆|广场上|小区花园里|底商店铺|酒吧|KTV|门口超市",
        problem="特别大|一直不停|吵得人睡不着|扰民特别严重|晚上十点以后还在响",
        detail="音响开到最大声|循环播放促销广告|一帮人喝酒划拳到凌晨{n}点|广场舞每天跳到很晚|门口放着两个大音箱",
        impact="老人孩子都睡不好觉|根本没法休息|孩子写作业都静不下心|周边居民意见很大",
        ask="派出所来管管|让他们把声音调小|相关部门处理|上门劝导一下",
        when="每天晚上都这样|一到周末就这样",
    ),
    "0603": topic(
        title="老鼠出没|蟑螂多|蚊虫孳生|病媒生物孳生|老鼠成灾|苍蝇蚊子多",
        thing="老鼠|蟑螂|蚊子|苍蝇|老鼠和蟑螂",
        spot="|垃圾站附近|小区花园里|地下室|楼道里|饭馆后面",
        problem="特别多|到处乱窜|大白天都能看见|泛滥成灾|越来越多",
        detail="晚上能看到{n}只老鼠一起跑|墙角都被老鼠打了洞|积水的地方全是蚊子幼虫|垃圾桶里爬满了蛆|电线都被咬坏了",
        impact="孩子们都不敢在楼下玩|容易传播疾病|影响居民健康|住得很闹心",
        ask="安排消杀|投放鼠药|卫生部门来处理|尽快灭鼠",
    ),
    # B01 公用设施
    "B0101": topic(
        title="上水井盖破损|自来水井盖损坏|上水井盖缺失|水表井盖破了|给水井盖松动|上水井盖",
        thing="上水井盖|自来水井盖|水表井盖|给水井盖|井盖|窨井盖",
        spot="|路边|人行道上|院门口|胡同里|小区门口",
        problem="碎了|裂开了|丢了，井口敞着|松动了|塌下去一半",
        detail="井盖上印着“上水”两个字|缺了{n}块|旁边的自来水管还在渗水|有人用木板临时盖上了|下面是水表",
        impact="晚上特别危险|存在安全隐患|行人容易踩空|孩子经过很危险",
        ask="尽快更换|自来水公司来修|尽快补上井盖|相关单位处理",
    ),
    "B0102": topic(
        title="污水井盖破损|井盖缺失|井盖松动异响|窨井盖破损|下水井盖坏了|井盖塌陷",
        thing="井盖|污水井盖|下水井盖|窨井盖|排水井盖|井盖板",
        spot="|路中间|路边|人行道上|胡同里|机动车道上|小区门口",
        problem="破了|丢了，井口敞着|松动了，车一压就响|塌陷了|碎成了好几块|移位了",
        detail="井盖上印着“污水”字样|车一过哐当哐当响|有人放了几块砖头当提示|从井口能闻到臭味|井口直径约{n}0厘米",
        impact="晚上特别危险|存在安全隐患|吵得人睡不着|行人容易掉下去",
        ask="尽快更换|赶紧修好|尽快补上井盖|排水部门来处理",
    ),
    "B0103": topic(
        title="雨水箅子缺失|雨水篦子损坏|雨水口堵塞|箅子丢了|雨水箅子破损|雨水口盖板缺失",
        thing="雨水箅子|雨水篦子|雨水口盖板|路边的排水箅子|箅子",
        spot="|路边|马路牙子边上|路口|胡同口|公交站旁边",
        problem="丢了|断了几根|被压坏了|堵满了树叶|翘起来了",
        detail="缺了{n}个|自行车轮子卡进去过|下雨时水都排不下去|下面就是排水沟|有人用塑料袋堵住了",
        impact="存在安全隐患|容易把车轮卡住|下雨路口全是积水|行人容易崴脚",
        ask="尽快补装|清理一下|尽快更换|排水部门来处理",
    ),
    "B0104": topic(
        title="电力井盖移位|电力井盖破损|电缆井盖松动|电力井盖缺失|供电井盖坏了",
        thing="电力井盖|电缆井盖|供电井盖|井盖|电力检查井盖|窨井盖",
        spot="|路边|人行道上|路口|绿化带旁|小区门口",
        problem="移位了，露出一条缝|破了个洞|松动了|丢了一块|翘起来了",
        detail="井盖上写着“电力”两个字|能看到下面的电缆|缝隙有{n}厘米宽|有人在上面放了个锥桶|车压上去晃得厉害",
        impact="存在很大安全隐患|晚上看不清容易踩空|孩子经过很危险|容易伤到人",
        ask="供电公司尽快处理|尽快更换|相关单位来修|尽快复位",
    ),
    # B02 交通设施
    "B0202": topic(
        title="交通标志牌倾斜|标志牌被刮倒|交通标志损坏|路牌歪了|限速牌被遮挡|标志牌脱落",
        thing="交通标志牌|限速牌|禁停标志|路牌|指示牌|禁止鸣笛牌",
        spot="|路口|路边|人行横道旁|学校门口|辅路上",
        problem="歪了|被刮倒了|被撞弯了|被树枝挡住了|掉下来一半|倒向路中间",
        detail="杆子已经倾斜{n}0度左右|牌子上的字都看不清了|像是被货车刮了|上面的螺丝松了|晚上根本看不见",
        impact="司机看不到提示|存在安全隐患|影响交通安全|随时可能砸到人",
        ask="尽快扶正|交通部门来修|尽快更换|相关部门处理",
    ),
    "B0203": topic(
        title="道路护栏损坏|护栏被撞倒|隔离栏倒了|护栏缺失|护栏歪倒|人行道护栏损坏",
        thing="护栏|隔离护栏|道路隔离栏|中间隔离带护栏|人行道护栏|铁护栏",
        spot="|路中间|路口|机动车道上|人行道边|桥上",
        problem="被撞倒了|倒在了机动车道上|歪了一大片|断了好几节|缺了一段",
        detail="一共倒了{n}节|看着是被车撞的|有行人从缺口横穿马路|断口的铁片翘着|已经倒了好几天",
        impact="影响行车安全|存在安全隐患|很容易出事故|车辆只能绕行",
        ask="尽快修复|尽快扶起来|交通部门处理|尽快补装",
    ),
    "B0205": topic(
        title="路灯不亮|路灯损坏|路灯白天常亮|路灯闪烁|路灯坏了|胡同里没有灯",
        thing="路灯|路灯杆|庭院灯|胡同里的灯|街灯",
        spot="|路边|胡同里|小区门口|人行道上|公园里",
        problem="不亮了|坏了|一闪一闪的|白天一直亮着|灯罩掉了|一到晚上就灭",
        detail="一共有{n}盏不亮|灯杆上的检修门也开着|晚上整条胡同黑漆漆的|里面的电线露在外面|之前修过一次又坏了",
        impact="晚上回家特别不安全|老人摸黑走路容易摔倒|存在安全隐患|浪费电",
        ask="尽快维修|赶紧修好|派人来看看|路灯管理部门处理",
    ),
    # B03 市容环境设施
    "B0301": topic(
        title="公厕设施损坏|公共厕所脏乱|公厕漏水|公厕灯坏了|公厕没人打扫|公厕水龙头坏了",
        thing="公共厕所|公厕|胡同里的公厕|公厕洗手池|公厕冲水设备",
        spot="|胡同里|公园里|路边|菜市场旁边",
        problem="坏了好几天|漏水严重|脏得没法进|灯不亮|堵了，没法用",
        detail="洗手池的水龙头一直流|{n}个蹲位有一半用不了|地上全是水|门锁也坏了|晚上里面黑漆漆的",
        impact="周边居民上厕所很不方便|味道很大|老人进去容易滑倒|影响环境卫生",
        ask="尽快维修|加强保洁|环卫部门处理|派人来修一下",
    ),
    "B0302": topic(
        title="果皮箱损坏|垃圾箱坏了|果皮箱缺失|垃圾桶破损|果皮箱倒了|路边垃圾箱损坏",
        thing="果皮箱|垃圾箱|路边的垃圾桶|分类垃圾箱|果壳箱",
        spot="|路边|公交站旁边|人行道上|公园门口|地铁口",
        problem="坏了|被撞倒了|箱体掉了|盖子丢了|烂了个大洞|不见了",
        detail="垃圾从破洞里漏出来|一共{n}个都坏了|箱子歪在地上没人管|内桶也不知道哪去了|旁边垃圾扔了一地",
        impact="垃圾没地方扔|影响市容|影响环境卫生|路过的人只能乱扔",
        ask="尽快更换|补设垃圾箱|环卫部门来修|尽快维修",
    ),
    # B04 园林绿化设施
    "B0401": topic(
        title="行道树倾斜|树木倒伏|树枝压电线|大树歪倒|树枝折断|枯树隐患",
        thing="行道树|大树|槐树|杨树|树枝|枯树",
        spot="|路边|人行道上|胡同里|小区门口|公交站旁边",
        problem="歪得很厉害|被风刮倒了|断了一根大枝|压到电线上了|快要倒了",
        detail="树干已经倾斜{n}0度|树根都翘起来了|枝杈搭在电线上|树干里面已经空了|是昨晚大风刮的",
        impact="随时可能砸到人|存在安全隐患|挡住了半条路|行人车辆都很危险",
        ask="园林部门尽快处理|尽快修剪|派人来看看|尽快清理",
    ),
    # B06 其他设施
    "B0601": topic(
        title="健身器材损坏|健身器材坏了|小区健身器材松动|健身器材存在隐患|健身器械损坏",
        thing="健身器材|单杠|漫步机|扭腰器|太空漫步机|健身器械",
        spot="|小区花园里|公园里|广场上|院里|社区活动场地上",
        problem="坏了|松动了，一用就晃|断了|螺丝掉了|锈得很厉害",
        detail="有老人差点摔倒|座椅的焊点都开了|有{n}件已经不能用了|底座螺丝松了|边上的铁皮翘起来划伤过孩子",
        impact="老人孩子锻炼很危险|存在安全隐患|大家都不敢用了|容易伤到人",
        ask="尽快维修|更换新器材|派人来修一下|相关部门处理",
    ),
}


# Words that neighbouring classes share (noise of a building site and of a shop, a manhole cover of
# any kind, hawkers and shops on the pavement...): each piece of a class's text comes from the shared
# pools of its families with probability SHARE. Every shared piece fits every class of its family.
SHARE = 0.5
SHARED: list[tuple[tuple[str, ...], Topic]] = [
    (("0301", "0602"), topic(
        title="噪音扰民|噪声扰民|夜间噪音|扰民问题|噪音太大", thing="噪音|噪声|动静|声音",
        problem="特别大|吵得人睡不着|扰民严重|大半夜还不停|一直不停",
        detail="晚上十一点多还在响|关上窗户也能听见|跟他们说过，根本不管用",
        impact="老人孩子都睡不好觉|根本没法休息|周边居民意见很大",
        ask="相关部门管管|让他们晚上别再吵了|尽快处理这个扰民问题")),
    (("0301", "0306", "0303"), topic(
        spot="工地|在建工地|施工现场|工地门口", detail="工地门口的渣土车进进出出|也没见有人管",
        ask="督促工地整改|加强工地监管")),
    (("0108", "0602"), topic(
        spot="楼下饭馆|烧烤店|路边大排档", detail="一到晚上门口就坐满了吃烧烤的|店门口一直有人喝酒",
        impact="晚上都睡不踏实|家里根本待不住", title="饭馆扰民|烧烤店扰民")),
    (("B0101", "B0102", "B0104"), topic(
        title="井盖破损|井盖缺失|井盖松动|井盖坏了|井盖问题", thing="井盖|窨井盖|井盖板|检查井盖",
        problem="破了|丢了，井口敞着|松动了|碎了|塌下去一块",
        detail="车一过哐当哐当响|有人放了几块砖头当提示|井口直径约{n}0厘米",
        impact="晚上特别危险|行人容易踩空", ask="尽快更换|尽快补上井盖")),
    (("B0102", "B0103", "0401"), topic(
        detail="已经有电动车在这里摔倒过|旁边的路面也有点下沉",
        impact="存在安全隐患|非机动车经过容易摔倒|晚上看不清特别危险")),
    (("0404", "0406", "B0103"), topic(
        title="排水不畅|排水问题", detail="下面的排水口好像堵了|一下雨就排不下去",
        impact="居民出门得蹚水|影响出行", ask="尽快疏通|排水部门来处理")),
    (("0201", "0205"), topic(
        title="违规广告|乱贴乱挂|广告乱贴乱挂|违规张贴", thing="广告|宣传品",
        problem="到处都是|乱贴乱挂|清了又有|越来越多",
        detail="上面留的都是手机号|刚清理完没两天又弄上了", impact="影响市容|看着特别乱",
        ask="尽快清理|城管来处理一下")),
    (("0501", "0502", "0503"), topic(
        title="占道经营|占道摆摊|马路市场|占用人行道经营", thing="摆摊的|占道的摊位",
        spot="人行道上|路边|地铁口", problem="占道经营|把人行道占满了|赶都赶不走",
        detail="一直摆到马路上|城管来了就收，走了又摆出来", impact="行人只能走机动车道|影响通行",
        ask="城管来管管|加强巡查")),
    (("0101", "0502"), topic(
        title="占用公共空间|占道搭建", detail="门口还搭了个遮阳棚", impact="公共空间被占用了")),
    (("0504", "0505"), topic(
        title="车辆乱停放|乱停车|车辆占道", thing="车|车辆", spot="人行道上|小区门口|楼下",
        problem="乱停乱放|把路堵了|占着人行道不走", detail="有的车停了好几个月没动过|物业说管不了",
        impact="行人只能绕着走|影响通行|消防通道被堵", ask="规范停放|相关部门管管")),
    (("0102", "0103"), topic(
        title="垃圾堆放|垃圾没人清运|垃圾乱倒", thing="垃圾|一堆垃圾|杂物",
        problem="没人清运|越堆越多|堆在那没人管", detail="味道很大|苍蝇蚊子特别多",
        impact="影响环境卫生|影响市容", ask="尽快清运|环卫来清理一下")),
    (("0102", "B0302"), topic(detail="垃圾扔了一地", impact="影响环境卫生", ask="环卫来看一下")),
    (("0102", "0603"), topic(detail="苍蝇蚊子特别多|老鼠到处乱窜", impact="容易传播疾病|影响居民健康")),
    (("0104", "0303", "0306", "0103"), topic(
        detail="刮风就尘土飞扬|下雨后全是泥", impact="路面脏得不行|走路一身土", ask="安排人清扫一下")),
    (("B0202", "B0203", "B0205"), topic(
        title="交通设施损坏|道路设施损坏", detail="像是被车撞的|已经坏了好几天",
        impact="影响交通安全|晚上过路的人很危险", ask="交通部门来修|尽快修复")),
]
POOLS: dict[str, Topic] = {
    code: Topic(**{field: tuple(piece for codes, pool in SHARED if code in codes for piece in getattr(pool, field))
                   for field in Topic.__dataclass_fields__})
    for code in TOPICS
}
CHINESE_DIGITS = "零一二三四五六七八九"


def fallback(name: str) -> Topic:
    """Pieces for a class without a topic of its own, from its name (水域不洁, 燃气井盖...)."""
    name = name or "城市管理"
    return topic(
        title=f"{name}|{name}问题|发现{name}问题|{name}情况",
        thing=name, spot="|附近|周边",
        problem="问题比较突出|的情况一直存在|需要处理|问题反复出现|一直没有解决",
        detail="现场情况比较明显|已经有居民多次反映|附近的人都知道|看着有一段时间了",
        impact=GENERIC["impact"], ask=GENERIC["ask"],
    )


# Pieces any class may use.
GENERIC = {
    "when": "好几天了|一个多星期了|从上个月开始就这样|半个多月了|这两天一直这样|最近一直这样|已经持续很久了|"
            "今天上午发现的|反复出现好几次了|三四天了|将近一个月了",
    "impact": "影响居民正常生活|周边居民意见很大|存在安全隐患|影响市容市貌|大家都很有意见",
    "ask": "尽快处理|有关部门管管|派人来看看|尽快解决|相关部门核实处理|彻底解决这个问题|尽快安排人处理",
}
_GENERIC = {key: tuple(value.split("|")) for key, value in GENERIC.items()}

# The voices: who writes. Openings and closings ("" among them: none), how a request is put.
VOICES = ("patrol", "hotline", "resident", "department")
VOICE_P = (0.5, 0.3, 0.15, 0.05)
OPENINGS = {
    "resident": ("", "您好，", "你好，", "您好，我是附近的居民，", "我是这边的住户，", "想反映个问题：", "我住在附近，",
                 "又来反映了，", "你们好，"),
    "hotline": ("市民来电反映：", "来电人反映：", "市民来电称，", "来电人称，", "来电反映，", "市民反映，"),
    "patrol": ("巡查发现：", "巡查发现：", "网格员巡查发现，", "日常巡查中发现", "巡查时发现，", "今日巡查发现，"),
    "department": ("执法检查中发现，", "专项检查发现：", "联合检查时发现，", "日常检查发现，", "接群众举报并经核实，"),
    "video": ("",),
}
CLOSINGS = {
    "resident": ("", "", "谢谢！", "谢谢。", "辛苦了！", "麻烦了。", "之前反映过一次，到现在也没解决。", "盼回复。"),
    "hotline": ("", "来电人要求处理后回复。", "请相关部门核实处理。", "来电人表示已多次反映。", "（来电人要求回电）"),
    "patrol": ("", "", "已拍照上报。", "已现场取证。", "已告知相关责任人。"),
    "department": ("", "特此转办。", "请属地协助处置。", "已固定证据。"),
    "video": ("", "", "已截图留存。"),
}
ASKS = {  # how a request is put: {ask} is the bare request
    "resident": ("请{ask}。", "希望{ask}。", "麻烦{ask}。", "恳请{ask}。", "请{ask}，谢谢。"),
    "hotline": ("来电人希望{ask}。", "来电人要求{ask}。", "诉求：{ask}。", "诉求：{ask}。"),
    "patrol": ("请{ask}。", "建议尽快处置。", "需相关部门处置。", "请派单处理。"),
    "department": ("请{ask}。", "建议尽快处置。", "请属地街道配合处置。"),
    "video": ("请{ask}。", "建议尽快处置。", "需现场核实。"),
}
# Core sentence patterns: a address, s spot, t thing, p problem.
CORES = ("{a}{s}{t}{p}", "{a}{s}的{t}{p}", "{s}{t}{p}，位置在{a}", "在{a}，{s}{t}{p}", "{t}{p}，在{a}{s}")
RESIDENT_CORES = ("我们这里{s}{t}{p}，具体位置是{a}", "{a}{s}{t}{p}", "{s}{t}{p}，地址是{a}")
TITLES = ("{stem}", "{stem}", "{place}{stem}", "{place}{stem}", "{t}{p}", "{place}{t}{p}", "关于{place}{stem}的问题",
          "反映{stem}问题", "{stem}，请尽快处理", "{place}{s}{t}{p}")
PATROL_TITLES = ("{stem}", "{stem}", "{place}{stem}", "{t}{p}")
_PLACE = re.compile(r"^(.+?)(?:\d|与|公交站)")
_CUT = re.compile(r"[，,].*$")


class _Draw:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def __call__(self, items):
        return items[int(self.rng.integers(len(items)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)


def place_of(address: str) -> str:
    """The road or lane of an address ("东四北大街12号附近" -> "东四北大街")."""
    match = _PLACE.match(address)
    return match.group(1) if match else address


def compose(code: str, rng: np.random.Generator, address: str, name: str = "", voice: str | None = None
            ) -> tuple[str, str]:
    """A (title, description) for a report of minor class ``code`` at ``address``.

    ``name`` is the class's name (used when ``code`` has no topic of its own); ``voice`` one of
    ``VOICES`` or "video" (the caller adds which camera), drawn when None."""
    draw = _Draw(rng)
    t = TOPICS.get(code) or fallback(name)
    pool = POOLS.get(code, Topic())

    def piece(field: str) -> str:  # this class's own words, or now and then its family's
        shared = getattr(pool, field)
        return draw(shared if shared and draw.chance(SHARE) else getattr(t, field))

    if voice is None:
        voice = VOICES[int(rng.choice(len(VOICES), p=VOICE_P))]
    voice = voice if voice in OPENINGS else "resident"
    n = int(rng.integers(2, 9))
    numbers = {"n": n, "cn": CHINESE_DIGITS[n]}
    spot, thing, problem = piece("spot"), piece("thing"), piece("problem")
    cores = CORES + RESIDENT_CORES if voice == "resident" else CORES
    core = draw(cores).format(a=address, s=spot, t=thing, p=problem).replace("的的", "的")
    when = draw(t.when + _GENERIC["when"] if t.when and draw.chance(0.5) else _GENERIC["when"])
    if voice in ("patrol", "department", "video") and draw.chance(0.6):
        when = ""  # an inspector reports what is there, seldom since when
    detail = piece("detail").format(**numbers) if draw.chance(0.75) else ""
    impact = piece("impact") if draw.chance(0.7) else draw(_GENERIC["impact"]) if draw.chance(0.4) else ""
    if impact and voice in ("patrol", "department") and draw.chance(0.5):
        impact = "据周边居民反映，" + impact
    ask = piece("ask") if draw.chance(0.7) else draw(_GENERIC["ask"])
    request = draw(ASKS[voice]).format(ask=ask) if voice != "video" or draw.chance(0.5) else ""
    opening, closing = draw(OPENINGS[voice]), draw(CLOSINGS[voice])

    facts = [core + (f"，{when}" if when else "")]  # sentences, each without its full stop
    middle = "，".join(part for part in (detail, impact) if part)
    if middle:
        if draw.chance(0.3):
            facts[0] += "，" + middle
        else:
            facts.append(middle)

    def text() -> str:
        return opening + "。".join(facts) + "。" + request + closing

    # 30..200 characters: add facts if short, drop the least telling parts if long.
    for extra in (draw(t.detail).format(**numbers), draw(t.impact), draw(_GENERIC["impact"])):
        if len(text()) >= 30:
            break
        if extra not in facts:
            facts.append(extra)
    if len(text()) > 200:
        facts, closing = facts[:1], ""
    description = text()[:200]

    stem, place = piece("title"), place_of(address)
    problem_short = _CUT.sub("", problem)
    pattern = draw(PATROL_TITLES if voice in ("patrol", "video", "department") else TITLES)
    title = pattern.format(stem=stem, place=place, s=spot, t=thing, p=problem_short)
    if len(title) > 24:
        title = f"{place}{stem}" if len(place) + len(stem) <= 24 else stem
    return title, description
