<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ArchitectureView</name>
    <message numerus="yes">
        <source>+ %Ln more client thread(s)</source>
        <translation>
            <numerusform>+ %Ln more client thread</numerusform>
            <numerusform>+ %Ln more client threads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>+ %Ln more connection(s)</source>
        <translation>
            <numerusform>+ %Ln more connection</numerusform>
            <numerusform>+ %Ln more connections</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChannelTexts</name>
    <message numerus="yes">
        <source>%Ln connection(s)</source>
        <translation>
            <numerusform>%Ln connection</numerusform>
            <numerusform>%Ln connections</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message numerus="yes">
        <source>%Ln request(s)</source>
        <translation>
            <numerusform>%Ln request</numerusform>
            <numerusform>%Ln requests</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{requests} × {count} numbers in {lo}..{hi}, %Ln client thread(s)</source>
        <translation>
            <numerusform>{requests} × {count} numbers in {lo}..{hi}, %Ln client thread</numerusform>
            <numerusform>{requests} × {count} numbers in {lo}..{hi}, %Ln client threads</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerPanel</name>
    <message numerus="yes">
        <source>pid {pid} · up {uptime} · %Ln request(s) served</source>
        <translation>
            <numerusform>pid {pid} · up {uptime} · %Ln request served</numerusform>
            <numerusform>pid {pid} · up {uptime} · %Ln requests served</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln request(s) served</source>
        <translation>
            <numerusform>%Ln request served</numerusform>
            <numerusform>%Ln requests served</numerusform>
        </translation>
    </message>
</context>
</TS>
